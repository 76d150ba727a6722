"""The small core every stage shares: periods and windows, the errors and how they are said, Vietnamese text
(normalising, formatting numbers and dates, escaping), the glossary of indicators and labels, the parameters'
model and where a workspace keeps its files. It imports nothing else of the package."""

"""The figures: rates per unit and window, the area's pooled rates, gaps and changes in points, which months a
window rests on, the findings of the monthly rules, the CCHC index estimate and the 766 index, anomalies, and a
draft's figures held against the store."""

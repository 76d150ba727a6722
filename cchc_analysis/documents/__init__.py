"""What the documents say: the monthly review and the letter, the semi-annual review and report, their
sentences and their appendix tables, as one data model (``document``, ``tables``) that every renderer reads."""

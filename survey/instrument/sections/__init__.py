"""One abstract model per section of the instrument; `survey.models.Report` combines them.

The sections share one table so that a national aggregate is a single scan of the reports of
a year, whatever the number of institutions.
"""

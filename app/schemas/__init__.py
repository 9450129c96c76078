"""What the API reads and writes, and so the source of openapi/openapi.json.

One module per resource (authorities, covenants with their priorities, signatories, pledges with their review,
commitments, delivery, keys, audit), each holding that resource's references, public and private outputs, pages,
filters and inputs. The shared field types and patterns are in fields.py, the paging and free-text query bases
in pages.py, problems and service metadata in common.py, statistics and the annual report in reports.py.

A public output names only public fields, so nothing private can leak through it. A private output derives from
its public counterpart (or, where the two differ in a field, from a base both share) and adds what only a key
holder may read, so each field is declared once.
"""

"""CSV import of customers and transactions.

The pieces, in the order a file goes through them:

* ``decoding``  — find the encoding (UTF-8, UTF-8 with BOM, Windows-1254) and the delimiter,
  refuse empty and binary files, read the header;
* ``columns``   — the columns of each kind of import, with Turkish and English header aliases;
* ``parsing`` and ``aliases`` — Turkish-aware values: decimal comma, dd.mm.yyyy dates,
  evet/hayır, choice labels and the words people use for them;
* ``rows``      — per-row validation with the model's rules (names, TCKN/VKN, phone, email...);
* ``sql`` and ``writing`` — set-based writing of a validated chunk (COPY + INSERT ... ON
  CONFLICT ... DO UPDATE ... WHERE IS DISTINCT FROM);
* ``service``   — the ImportJob life cycle: create from an upload, claim, run chunk by chunk;
* ``selectors`` — the jobs of a tenant, the rejected-rows report and the template files.
"""

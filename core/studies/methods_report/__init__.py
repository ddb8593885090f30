"""The methods report (``python -m core evaluate``): every explanation method, the reference
floors and the ModuleX ablation, scored by every metric on every pair and network kind.

One module per job: :mod:`.stored` (where the report lives, and the small loader the pages
import), :mod:`.run` (the runner), :mod:`.tables` (reading numbers out of a report: labels,
directions, ranks), :mod:`.markdown` (the sentences and tables of ``methods.md``),
:mod:`.export` (the CSV and writing every file), :mod:`.svg` (the curves as SVG) and
:mod:`.conventions` (how each number is computed here, as prose).
"""

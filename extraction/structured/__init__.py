"""Structured records (YAML, JSON, CSV, TSV) → documents, entities and facts, by mapping.

A mapping (YAML, `data/mappings/*.yaml` ships five) says where a file's records are, which
entities and facts each record yields and how it reads as one English sentence; the file
becomes one document of those sentences, so every fact cites the record it came from. The
mapping language is documented in `extraction.structured.mapping`, its templates in
`extraction.structured.templates`.
"""
from extraction.structured.importer import RecordsImporter, RecordsImportReport
from extraction.structured.mapping import SHIPPED_DIR, CompiledMapping, Mapping, compile_mapping, load_mapping

__all__ = ["SHIPPED_DIR", "CompiledMapping", "Mapping", "RecordsImporter", "RecordsImportReport",
           "compile_mapping", "load_mapping"]

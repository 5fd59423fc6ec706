"""All error messages of the extraction package, with codes (the spaCy way; see core/errors.py)."""
from __future__ import annotations

from core.errors import Catalogue, GovKGError


class Errors(Catalogue):
    E001 = "unsupported file type {suffix!r}; supported: {supported}"
    E002 = "the file is empty"
    E003 = "the file holds only white space"
    E004 = "the file looks binary ({reason}), not {format}"
    E005 = "the file is {size} bytes, over the {limit}-byte limit (imports.max_file_bytes)"
    E006 = "cannot decode the text: {reason}"
    E007 = "corrupt or unreadable PDF: {reason}"
    E008 = "the PDF is encrypted and cannot be read without its password"
    E009 = "the PDF has no extractable text (a scanned image? OCR is not supported)"
    E010 = "corrupt or unreadable DOCX: {reason}"
    E011 = "line {line}: invalid JSON: {reason}"
    E012 = "line {line}: expected a JSON object with a non-empty string field 'text'"
    E013 = "line {line}: bad metadata: {reason}"
    E014 = "cannot read the file: {reason}"
    E015 = "the document is {size} characters, over the {limit}-character limit (imports.max_document_chars)"
    E016 = "corrupt or unreadable HTML: {reason}"
    E017 = "no text found in the HTML"
    E018 = "not allowed to write into department {department!r} (an editor writes into its own departments only)"
    E025 = "the same text is already stored in a document this importer may not write; nothing was imported"
    E019 = "a symbolic link that loops or cannot be resolved: {path} ({reason})"
    E020 = "no registered {kind} component named {name!r}; known: {known}"
    E021 = "gazetteer data file missing: {path}"
    E022 = "bad gazetteer data in {path}: {reason}"
    E023 = "reading the file needed more than {limit} MB of memory (imports.parse_memory_mb); stopped"
    E024 = "the loader process ended without an answer ({reason})"
    E030 = "not found: {path}"
    # limits checked before (or while) parsing, each a setting of `imports`
    E031 = "the archive holds {entries} entries, over the {limit}-entry limit (imports.max_zip_entries)"
    E032 = "the archive inflates to {size} bytes or more, over the {limit}-byte limit (imports.max_unzipped_bytes)"
    E033 = ("archive member {member!r} is compressed {ratio:.0f}:1, over the {limit:.0f}:1 limit "
            "(imports.max_zip_ratio)")
    E034 = "XML part {part!r} declares a DOCTYPE or entities, which are refused (DTDs, entities, XXE)"
    E035 = "the PDF has {pages} pages, over the {limit}-page limit (imports.max_pdf_pages)"
    E036 = "a PDF stream inflates past the limits (imports.max_pdf_stream_bytes, {limit} bytes): {reason}"
    E037 = "the HTML nests deeper than {limit} elements (imports.max_html_depth)"
    E038 = "line {line} is {size} bytes or more, over the {limit}-byte limit (imports.max_line_bytes)"
    E039 = "reading the file took longer than {limit} s (imports.parse_timeout_s); stopped"
    # structured records (extraction/structured): mappings, then records
    E040 = "mapping {name!r} not found (not a file, not a shipped mapping); shipped: {known}"
    E041 = "cannot read the mapping {path}: {reason}"
    E042 = "invalid mapping {path}: {reason}"
    E043 = "invalid mapping {path}: bad template {template!r}: {reason}"
    E044 = "cannot parse the {format} records: {reason}"
    E045 = "no records at {path!r}: {reason}"
    E046 = "record {record}: no value at {path!r} (template {template!r})"
    E047 = "record {record}: value {value!r} (template {template!r}) is not in the map {map!r}"
    E048 = "record {record}: {reason}"
    E049 = "record {record}: fact endpoint {key!r} is neither an entity of the mapping nor a gazetteer entry"
    # models (extraction/ner, extraction/relations): training data, model folders
    E050 = "{path}: unknown training data format {format!r}; known: conll, jsonl, redocred"
    E051 = "{path}, line {line}: {reason}"
    E052 = "{path}: no examples found ({reason})"
    E053 = "{path}: not a model folder ({reason})"
    E054 = "cannot load the base model {base!r}: {reason}"
    E056 = ("no NER model at {path}: run `make models` (or `govkg train ner`), set models.ner_model "
            "(GOVKG_MODELS__NER_MODEL), or leave 'transformer' out of pipeline.recognizers")
    E055 = "{path}: no entity types in common with the model (data: {data}; model: {model})"
    E057 = "cannot use the device {device!r}: {reason}"
    # relation extraction (extraction/relations)
    E060 = "{path}: unknown relation data format {format!r}; known: jsonl (CoNLL04 style), redocred"
    E061 = ("no relation model at {path}: run `make models-re` (or `govkg train re`), set models.re_model "
            "(GOVKG_MODELS__RE_MODEL), or leave 'transformer' out of pipeline.relation_extractors")
    E062 = "{path}: no relations to learn ({reason})"
    E063 = "{path}: cannot mark entities: {reason}"
    E064 = ("no joint relation model at {path}: run `make models` (or `govkg train joint`), set models.joint_model "
            "(GOVKG_MODELS__JOINT_MODEL), or leave 'joint' out of pipeline.relation_extractors")
    E065 = ("{path}: trained on the encodings of NER model {trained!r}, but the NER model is {loaded!r}; retrain "
            "the relation head (`make models` or `govkg train joint`)")
    # facts evaluation (extraction/evaluation)
    E070 = "{path}: cannot read the gold facts: {reason}"
    E071 = "{path}, line {line}: invalid JSON: {reason}"
    E072 = "{path}, line {line}: not a gold sentence: {reason}"
    E073 = "{path}, line {line}: entity {text!r} at {start}-{end} does not match the text there ({found!r})"
    E074 = "{path}, line {line}: fact {role} {text!r} is not the text of an entity of the line"
    E075 = "{path}: no gold sentences found"
    E076 = "the evaluation documents did not import into the scratch store: {reason}"
    E077 = "gold sentence {sentence} is not in the stored text of its document"
    E078 = ("{path}: no entity mapping for the label scheme {scheme!r} (known: {known}); pass --label-scheme "
            "with one of them")
    E079 = "documents to label for the joint head, but no pipeline to label them with (train_joint's labeler)"


class ExtractionError(GovKGError):
    """Base class for errors of the extraction package. Unlike the other packages, its `message` keeps the
    code in front ("[E001] unsupported file type ..."), as the import reports (ImportFailure) carry it."""

    catalogue = Errors
    package = "extraction"

    def __init__(self, error: Errors, **kwargs: object) -> None:
        super().__init__(error, **kwargs)
        self.message = str(self)


class LoaderError(ExtractionError):
    """A file (or one record of a file) that cannot be turned into a document."""


class WriteNotAllowed(LoaderError):
    """A document the importing principal may not write: another department's, or one it would move there."""


class ConfigError(ExtractionError):
    """A pipeline configuration that names unknown components or missing data."""


class MappingError(ExtractionError):
    """A records mapping (extraction/structured) that cannot be read or is invalid."""


class DataError(ExtractionError):
    """Training or evaluation data that cannot be read."""


class ModelError(ExtractionError):
    """A model folder or base model that cannot be loaded."""


class RecordError(ExtractionError):
    """One record that a mapping cannot render; the other records of the file still import."""

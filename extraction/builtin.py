"""Registration of the built-in extraction components (segmenter, recognizer, resolver, relation_extractor,
validator) under the names `PipelineSettings` uses; the other kinds register in extraction/loaders/,
graph/factory.py and qa/builtin.py (see extraction/registry.py)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from extraction.errors import ConfigError, Errors
from extraction.gazetteer import GazetteerEntry, load_entries
from extraction.gazetteer.recognizer import GazetteerRecognizer
from extraction.patterns import PatternRelationExtractor
from extraction.registry import register
from extraction.resolver import AliasResolver
from extraction.segmenter import SpacySegmenter
from extraction.validation import OntologyFactValidator

if TYPE_CHECKING:  # torch loads only when a pipeline uses the model
    from extraction.ner.recognizer import TransformerRecognizer
    from extraction.relations.extractor import TransformerRelationExtractor
    from extraction.relations.joint.extractor import JointRelationExtractor
    from extraction.rules.recognizer import GovernmentRecognizer


@dataclass
class Resources:
    """What component factories may use; built once from settings by the caller."""

    gazetteer_dir: Path
    is_a: Callable[[str, str], bool]  # is_a(child_type, parent_type), from the ontology
    check_fact: Callable[[str, str, str], str | None]  # domain/range check, from the ontology
    max_sentence_chars: int = 5_000
    min_fact_confidence: float = 0.5
    min_fact_confidence_by_extractor: dict[str, float] = field(default_factory=dict)  # per extractor name
    symmetric: frozenset[str] = frozenset()  # symmetric predicates, from the ontology (relativeOf)
    ner_model: Path | None = None  # folder of a fine-tuned NER model (`govkg train ner`)
    map_entity_label: Callable[[str, str], str | None] | None = None  # (scheme, label) → class, from the ontology
    min_entity_confidence: float = 0.5
    model_batch_size: int = 64
    quantize: bool = False
    re_model: Path | None = None  # folder of a fine-tuned relation model (`govkg train re`)
    map_relation_label: Callable[[str, str], tuple[str, bool] | None] | None = None  # → (predicate, inverted)
    min_relation_candidate: float = 0.1  # model pairs below are not even candidates
    joint_model: Path | None = None  # folder of the pair head over the NER model's encodings (`govkg train joint`)

    @cached_property
    def gazetteer_entries(self) -> list[GazetteerEntry]:
        return load_entries(self.gazetteer_dir)


@register("segmenter", "spacy")
def _spacy_segmenter(resources: Resources) -> SpacySegmenter:
    return SpacySegmenter(max_sentence_chars=resources.max_sentence_chars)


@register("recognizer", "gazetteer")
def _gazetteer(resources: Resources) -> GazetteerRecognizer:
    return GazetteerRecognizer(resources.gazetteer_dir)


@register("recognizer", "government")
def _government(resources: Resources) -> GovernmentRecognizer:
    from extraction.rules.recognizer import GovernmentRecognizer

    return GovernmentRecognizer.from_entries(resources.gazetteer_entries)


@register("recognizer", "transformer")
def _transformer(resources: Resources) -> TransformerRecognizer:
    from extraction.ner.recognizer import TransformerRecognizer

    folder = resources.ner_model
    if folder is None or not folder.is_dir():
        raise ConfigError(Errors.E056, path=folder)
    return TransformerRecognizer.from_folder(
        folder, resources.map_entity_label or (lambda scheme, label: label),
        min_confidence=resources.min_entity_confidence, quantize=resources.quantize,
        batch_size=resources.model_batch_size,
    )


@register("resolver", "alias")
def _alias_resolver(resources: Resources) -> AliasResolver:
    from extraction.rules.canonical import canonical_name

    return AliasResolver(resources.gazetteer_entries, compatible=resources.is_a, canonical=canonical_name)


@register("relation_extractor", "patterns")
def _patterns(resources: Resources) -> PatternRelationExtractor:
    return PatternRelationExtractor(compatible=resources.is_a)


@register("relation_extractor", "transformer")
def _relation_model(resources: Resources) -> TransformerRelationExtractor:
    from extraction.relations.extractor import TransformerRelationExtractor

    folder = resources.re_model
    if folder is None or not folder.is_dir():
        raise ConfigError(Errors.E061, path=folder)
    return TransformerRelationExtractor.from_folder(
        folder, resources.map_entity_label or (lambda scheme, label: label),
        resources.map_relation_label or (lambda scheme, label: (label, False)), resources.is_a,
        min_candidate_confidence=resources.min_relation_candidate, quantize=resources.quantize,
        batch_size=resources.model_batch_size,
    )


@register("relation_extractor", "joint")
def _joint_relation_model(resources: Resources) -> JointRelationExtractor:
    from extraction.relations.joint.extractor import JointRelationExtractor

    folder = resources.joint_model
    if folder is None or not folder.is_dir():
        raise ConfigError(Errors.E064, path=folder)
    ner_folder = resources.ner_model
    if ner_folder is None or not ner_folder.is_dir():
        raise ConfigError(Errors.E056, path=ner_folder)
    return JointRelationExtractor.from_folder(
        folder, ner_folder, resources.is_a, min_candidate_confidence=resources.min_relation_candidate,
        quantize=resources.quantize, batch_size=resources.model_batch_size,
    )


@register("validator", "ontology")
def _ontology_validator(resources: Resources) -> OntologyFactValidator:
    return OntologyFactValidator(resources.check_fact, resources.min_fact_confidence,
                                 resources.min_fact_confidence_by_extractor)

"""The application's components, built once from the settings and handed to CLI and API."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from core.settings import Settings, load_settings
from graph.factory import NEO4J_SCHEMES, Neo4jConnection, open_store
from graph.projection import ProjectionCache
from graph.store import GraphStore
from ontology.errors import OntologyError
from ontology.schema import Ontology, load_ontology
from service.audit import AuditLog
from service.auth.tokens import TokenStore

if TYPE_CHECKING:  # spaCy (and torch through thinc) load only for commands that extract
    from extraction.importer import Importer
    from extraction.pipeline import Pipeline
    from extraction.relations.joint.train import JointTrainArgs
    from qa.embedding import SentenceEmbedder
    from qa.pipeline import QaPipeline

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_gazetteer_dir() -> Path:
    return PROJECT_ROOT / "data" / "gazetteers"


def default_models_dir() -> Path:
    """Where `make models` writes the product's fine-tuned models (ignored by git)."""
    return PROJECT_ROOT / "models"


@dataclass
class Services:
    settings: Settings
    store_url: str

    @cached_property
    def ontology(self) -> Ontology:
        return load_ontology()

    @cached_property
    def store(self) -> GraphStore:
        return open_store(self.store_url, self.settings.sqlite_path, self.neo4j_connection())

    @cached_property
    def projections(self) -> ProjectionCache:
        return ProjectionCache(self.store)

    @cached_property
    def tokens(self) -> TokenStore:
        return TokenStore(self.settings.tokens_path)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.store, self.settings.api.audit_questions)

    def neo4j_connection(self) -> Neo4jConnection | None:
        if self.store_url.split(":", 1)[0] not in NEO4J_SCHEMES:
            return None
        conf = self.settings.neo4j
        password = conf.password
        password_file = self.settings.neo4j_home / "password"
        if password is None and password_file.is_file():
            password = password_file.read_text(encoding="utf-8").strip()
        return Neo4jConnection(uri=self.store_url, user=conf.user, password=password or "",
                               database=conf.database, batch_size=conf.batch_size)

    def is_a(self, child: str, parent: str) -> bool:
        try:
            return self.ontology.is_subclass(child, parent)
        except OntologyError:
            return child == parent

    @cached_property
    def pipeline(self) -> Pipeline:
        from extraction.builtin import Resources
        from extraction.pipeline import Pipeline

        conf, models = self.settings.pipeline, self.settings.models
        resources = Resources(
            gazetteer_dir=conf.gazetteer_dir or default_gazetteer_dir(),
            is_a=self.is_a,
            check_fact=self.ontology.check_fact,
            max_sentence_chars=conf.max_sentence_chars,
            min_fact_confidence=conf.min_fact_confidence,
            min_fact_confidence_by_extractor=conf.min_fact_confidence_by_extractor,
            symmetric=frozenset(p.name for p in self.ontology.predicates() if p.symmetric),
            ner_model=self.ner_model,
            map_entity_label=self.ontology.map_entity_label,
            min_entity_confidence=models.min_entity_confidence,
            model_batch_size=models.batch_size,
            quantize=models.quantize,
            re_model=self.re_model,
            joint_model=self.joint_model,
            map_relation_label=self.ontology.map_relation_label,
            min_relation_candidate=models.min_relation_candidate,
        )
        if "transformer" in self.recognizers or {"transformer", "joint"} & set(self.relation_extractors):
            import torch

            torch.set_num_threads(models.threads)
        return Pipeline.from_config(conf.segmenter, self.recognizers, conf.resolver, self.relation_extractors,
                                    conf.validator, resources)

    @property
    def ner_model(self) -> Path:
        return self.settings.models.ner_model or default_models_dir() / "ner"

    @property
    def recognizers(self) -> list[str]:
        """The configured recognizers; by default the gazetteer and the government rules, plus the NER model
        once it is built."""
        configured = self.settings.pipeline.recognizers
        if configured is not None:
            return configured
        return ["gazetteer", "government", "transformer"] if self.ner_model.is_dir() else ["gazetteer", "government"]

    @property
    def re_model(self) -> Path:
        return self.settings.models.re_model or default_models_dir() / "re"

    @property
    def joint_model(self) -> Path:
        return self.settings.models.joint_model or default_models_dir() / "joint"

    @property
    def relation_extractors(self) -> list[str]:
        """The configured relation extractors; by default the rule layer, plus the relation head over the NER
        encoding once both models are built (`make models`)."""
        configured = self.settings.pipeline.relation_extractors
        if configured is not None:
            return configured
        joint = self.joint_model.is_dir() and self.ner_model.is_dir()
        return ["patterns", "joint"] if joint else ["patterns"]

    def importer(self, department: str | None = None, labels: tuple[str, ...] = (),
                 reextract: bool = False, may_write: Callable[[str | None], bool] | None = None) -> Importer:
        from extraction.importer import Importer, ImportOptions

        conf = self.settings.imports
        options = ImportOptions(
            department=department or conf.default_department, labels=labels,
            max_file_bytes=conf.max_file_bytes, max_document_chars=conf.max_document_chars,
            reextract=reextract, may_write=may_write,
            max_unzipped_bytes=conf.max_unzipped_bytes, max_zip_ratio=conf.max_zip_ratio,
            max_zip_entries=conf.max_zip_entries, max_pdf_pages=conf.max_pdf_pages,
            max_pdf_stream_bytes=conf.max_pdf_stream_bytes, max_html_depth=conf.max_html_depth,
            max_line_bytes=conf.max_line_bytes, parse_timeout_s=conf.parse_timeout_s,
            parse_memory_mb=conf.parse_memory_mb, isolate=conf.parse_isolated,
        )
        encoder = self.encoder if self.settings.qa.embed_at_import else None
        return Importer(lambda: self.pipeline, self.store, options, encoder=encoder)

    @cached_property
    def encoder(self) -> SentenceEmbedder:
        """The sentence encoder of import-time vectors and of dense retrieval (loaded on first use)."""
        from qa.embedding import SentenceEmbedder

        conf = self.settings.qa
        return SentenceEmbedder(conf.encoder_dir, threads=conf.torch_threads)

    @cached_property
    def qa(self) -> QaPipeline:
        """The question-answering pipeline (models load lazily, or in the background on start)."""
        from qa.pipeline import build_qa_pipeline

        return build_qa_pipeline(self.settings.qa, self.store, self.ontology, lambda: self.pipeline.recognizers,
                                 self.encoder)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        if "tokens" in self.__dict__:
            self.tokens.close()


def build_services(settings: Settings, store_url: str | None = None) -> Services:
    url = store_url or settings.store
    if url.split(":", 1)[0] in NEO4J_SCHEMES and url == settings.store and "://" not in url:
        url = settings.neo4j.uri
    return Services(settings=settings, store_url=url)


LABELLING_RECOGNIZERS = ("gazetteer", "government", "transformer")  # the production recognizers, where registered


def build_labelling_pipeline(args: JointTrainArgs) -> tuple[Pipeline, list[str]]:
    """The production pipeline with the rule layer as its only relation extractor, over a scratch data folder:
    what labels the documents the joint head learns from (`train_joint`'s labeler); and its recognizers."""
    import tempfile

    from extraction import builtin  # noqa: F401  (registers the components)
    from extraction.registry import names

    recognizers = [r for r in LABELLING_RECOGNIZERS if r in names("recognizer")]
    scratch = Path(tempfile.mkdtemp(prefix="govkg-joint-"))
    pipeline_conf: dict[str, object] = {"recognizers": recognizers, "relation_extractors": ["patterns"]}
    if args.gazetteer_dir is not None:
        pipeline_conf["gazetteer_dir"] = args.gazetteer_dir
    settings = load_settings(data_dir=scratch, pipeline=pipeline_conf,
                             models={"ner_model": Path(args.ner_model), "quantize": args.quantize,
                                     "threads": args.threads or 2, "batch_size": args.batch_size_encoder})
    return build_services(settings).pipeline, recognizers

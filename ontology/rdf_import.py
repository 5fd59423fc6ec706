"""Read an RDF export back into document graphs: the inverse of `ontology.rdf_export`.

    graph = load_rdf(Path("graph.ttl"))        # format from the suffix; RdfFormatError (O010)
    for document_graph in graphs_from_rdf(graph):  # RdfContentError (O011) on a bad node
        store.write(document_graph)

Each document node becomes one DocumentGraph with its sentences, mentions, the facts it
supports (the fact nodes that are `prov:wasDerivedFrom` it, with the derivations whose
`prov:entity` it is), its candidate facts and the entities those name. Writing the graphs into
an empty store gives the counts of the store that was exported; exporting them again gives the
same triples. Only the reified fact nodes are read: a direct `gov:` triple without a fact node
(added by hand, say) carries no provenance and is not imported.
"""
from __future__ import annotations

import json
import warnings
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote

from pydantic import ValidationError
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV
from rdflib.term import Node

from extraction.records import (
    CandidateFact,
    Document,
    DocumentGraph,
    Entity,
    Extractor,
    Fact,
    Mention,
    Provenance,
    Sentence,
)
from ontology.errors import Errors, RdfContentError, RdfFormatError
from ontology.rdf_export import (
    CANDIDATE_BASE,
    DOCUMENT_BASE,
    ENTITY_BASE,
    FACT_BASE,
    FORMATS,
    GOV,
    MENTION_BASE,
    format_for,
    quote_id,
)
from ontology.schema import NAMESPACE, Ontology, load_ontology

_T = TypeVar("_T")
Props = dict[URIRef, list[Node]]


# -- parsing ---------------------------------------------------------------------------------

def load_rdf(path: Path | str, format: str | None = None) -> Graph:
    """Parse an RDF file; the format (`turtle`, `jsonld`, `nt`) comes from the suffix unless given.

    A file that does not parse raises RdfFormatError with the line and column rdflib reports
    (for N-Triples, the first line that does not parse on its own).
    """
    path = Path(path)
    fmt = format_for(str(path), format)
    try:
        data = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RdfFormatError(Errors.O012, path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise RdfFormatError(Errors.O013, path=str(path), byte=exc.start) from exc
    except OSError as exc:
        raise RdfFormatError(Errors.O014, path=str(path), reason=exc) from exc
    return parse_rdf(data, fmt, name=str(path))


def parse_rdf(data: str, format: str, name: str = "<data>") -> Graph:
    """Parse RDF text in one of the export formats; RdfFormatError says where it fails."""
    if format not in FORMATS:
        raise RdfFormatError(Errors.O015, format=format, known=", ".join(FORMATS), path=name)
    graph = Graph()
    try:
        with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
            warnings.filterwarnings("ignore", message="ConjunctiveGraph is deprecated", category=DeprecationWarning)
            graph.parse(data=data, format=FORMATS[format])
    except json.JSONDecodeError as exc:
        raise _located(name, format, exc.lineno, exc.colno, exc.msg) from exc
    except SyntaxError as exc:  # rdflib's Turtle/N3 BadSyntax: args (uri, lines, text, offset, why)
        if len(exc.args) == 5 and isinstance(exc.args[2], str) and isinstance(exc.args[3], int):
            text, offset = exc.args[2], exc.args[3]
            line = text.count("\n", 0, offset) + 1
            column = offset - text.rfind("\n", 0, offset)
            raise _located(name, format, line, column, str(exc.args[4])) from exc
        raise RdfFormatError(Errors.O010, name=name, format=format, reason=exc, path=name) from exc
    except Exception as exc:  # rdflib's parsers raise many types (ParserError, ValueError, ...)
        if format == "nt":
            line, reason = _first_bad_line(data)
            if line is not None:
                raise _located(name, format, line, None, reason) from exc
        raise RdfFormatError(Errors.O010, name=name, format=format, reason=exc, path=name) from exc
    return graph


def _located(name: str, format: str, line: int | None, column: int | None, reason: str) -> RdfFormatError:
    where = f"line {line}" + (f", column {column}" if column is not None else "")
    return RdfFormatError(Errors.O010, name=name, format=format, reason=f"{where}: {reason}", path=name, line=line,
                          column=column)


def _first_bad_line(data: str) -> tuple[int | None, str]:
    """N-Triples is line-based and rdflib's error names no line: find the first that fails alone."""
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            Graph().parse(data=line + "\n", format="nt")
        except Exception as exc:
            return number, f"{exc} in {line.strip()[:120]!r}"
    return None, ""


# -- graphs back -----------------------------------------------------------------------------

def graphs_from_rdf(rdf: Graph, ontology: Ontology | None = None) -> list[DocumentGraph]:
    """One DocumentGraph per exported document, ordered by document id.

    `ontology` (default: the project's) only picks the most specific class when an entity
    node carries several gov: types, as a graph after RDFS inference would.
    """
    reader = _Reader(rdf, ontology)
    return [reader.document_graph(node) for node in sorted(reader.documents, key=str)]


class _Reader:
    def __init__(self, rdf: Graph, ontology: Ontology | None) -> None:
        self.ontology = ontology
        self.props: dict[Node, Props] = defaultdict(lambda: defaultdict(list))
        for s, p, o in rdf:
            self.props[s][p].append(o)  # type: ignore[index]
        by_type: dict[Node, list[Node]] = defaultdict(list)
        for s, o in rdf.subject_objects(RDF.type):
            by_type[o].append(s)
        self.documents = by_type[FOAF.Document]
        self.sentences: dict[Node, list[Node]] = defaultdict(list)
        for node in by_type[GOV.Sentence]:
            self.sentences[self._one(node, DCTERMS.isPartOf)].append(node)
        self.mentions: dict[Node, list[Node]] = defaultdict(list)
        for node in by_type[GOV.Mention]:
            self.mentions[self._one(node, DCTERMS.isPartOf)].append(node)
        candidate_nodes = set(by_type[GOV.CandidateFact])
        self.candidates: dict[Node, list[Node]] = defaultdict(list)
        for node in candidate_nodes:
            self.candidates[self._one(node, GOV.inDocument)].append(node)
        self.facts: dict[Node, list[Node]] = defaultdict(list)
        for node in by_type[RDF.Statement]:
            if node in candidate_nodes:
                continue
            for document in self.props[node].get(PROV.wasDerivedFrom, []):
                self.facts[document].append(node)
        self._entities: dict[str, Entity | None] = {}
        self._extractors: dict[Node, Extractor] = {}

    # -- one document --------------------------------------------------------------------

    def document_graph(self, node: Node) -> DocumentGraph:
        doc_id = _id(node, DOCUMENT_BASE)
        document = self._document(node, doc_id)
        sentences = sorted((self._sentence(n, doc_id) for n in self.sentences.get(node, [])), key=lambda s: s.index)
        mentions = sorted((self._mention(n, doc_id) for n in self.mentions.get(node, [])),
                          key=lambda m: (m.start, m.end, m.id))
        facts = sorted((self._fact(n, doc_id) for n in self.facts.get(node, [])), key=lambda f: f.id)
        candidates = sorted((self._candidate(n) for n in self.candidates.get(node, [])), key=lambda c: c.fact.id)
        named = {m.entity_id for m in mentions if m.entity_id is not None}
        named |= {i for f in [*facts, *(c.fact for c in candidates)] for i in (f.subject_id, f.object_id)}
        entities = [e for e in map(self._entity, sorted(named)) if e is not None]
        return _build(node, lambda: DocumentGraph(
            document=document, sentences=tuple(sentences), mentions=tuple(mentions), entities=tuple(entities),
            facts=tuple(facts), candidates=tuple(candidates)))

    def _document(self, node: Node, doc_id: str) -> Document:
        metadata_text = self._one(node, GOV.metadata, required=False)
        try:
            metadata = json.loads(str(metadata_text)) if metadata_text is not None else {}
        except json.JSONDecodeError as exc:
            raise RdfContentError(Errors.O020, node=node, reason=exc) from exc
        published = self._one(node, DCTERMS.issued, required=False)
        department = self._one(node, GOV.department, required=False)
        return _build(node, lambda: Document(
            id=doc_id, text=self._str(node, GOV.text), title=self._str(node, DCTERMS.title),
            source_path=self._str(node, DCTERMS.source), source_name=self._str(node, GOV.sourceName),
            format=self._str(node, GOV["format"]), department=None if department is None else str(department),
            published=None if published is None else str(published),
            labels=tuple(sorted({str(v) for v in self.props[node].get(GOV.accessLabel, [])})),
            metadata=metadata,
        ))

    def _sentence(self, node: Node, doc_id: str) -> Sentence:
        return _build(node, lambda: Sentence(
            document_id=doc_id, index=self._int(node, GOV.sentenceIndex), start=self._int(node, GOV.start),
            end=self._int(node, GOV.end), text=self._str(node, GOV.text)))

    def _mention(self, node: Node, doc_id: str) -> Mention:
        entity = self._one(node, GOV.refersTo, required=False)
        key = self._one(node, GOV.gazetteerKey, required=False)
        return _build(node, lambda: Mention(
            id=_id(node, MENTION_BASE), document_id=doc_id, sentence_index=self._int(node, GOV.sentenceIndex),
            start=self._int(node, GOV.start), end=self._int(node, GOV.end), text=self._str(node, GOV.text),
            type=_gov_name(self._one(node, GOV.mentionType), node), confidence=self._float(node, GOV.confidence),
            extractor=self._extractor(self._one(node, PROV.wasGeneratedBy)),
            entity_id=None if entity is None else _id(entity, ENTITY_BASE),
            gazetteer_key=None if key is None else str(key)))

    def _fact(self, node: Node, doc_id: str) -> Fact:
        rows = [p for p in self._derivations(node) if p.document_id == doc_id]
        confidence = max((p.confidence for p in rows), default=None)
        if confidence is None:  # a fact exported without provenance rows keeps its own confidence
            confidence = self._float(node, GOV.confidence)
        return _build(node, lambda: Fact(
            id=_id(node, FACT_BASE), subject_id=_id(self._one(node, RDF.subject), ENTITY_BASE),
            predicate=_gov_name(self._one(node, RDF.predicate), node),
            object_id=_id(self._one(node, RDF.object), ENTITY_BASE), confidence=confidence,
            provenance=tuple(rows)))

    def _candidate(self, node: Node) -> CandidateFact:
        rest = str(node)[len(CANDIDATE_BASE):] if str(node).startswith(CANDIDATE_BASE) else ""
        parts = rest.split("/")
        if len(parts) != 2 or not all(parts):
            raise RdfContentError(Errors.O021, node=node, base=CANDIDATE_BASE)
        fact = _build(node, lambda: Fact(
            id=unquote(parts[1]), subject_id=_id(self._one(node, RDF.subject), ENTITY_BASE),
            predicate=_gov_name(self._one(node, RDF.predicate), node),
            object_id=_id(self._one(node, RDF.object), ENTITY_BASE), confidence=self._float(node, GOV.confidence),
            provenance=tuple(self._derivations(node))))
        return _build(node, lambda: CandidateFact(
            fact=fact, status=self._str(node, GOV.candidateStatus), reason=self._str(node, GOV.reason)))

    def _derivations(self, owner: Node) -> list[Provenance]:
        rows = []
        for node in self.props[owner].get(PROV.qualifiedDerivation, []):
            rows.append(_build(node, lambda node=node: Provenance(  # type: ignore[misc]
                document_id=_id(self._one(node, PROV.entity), DOCUMENT_BASE),
                sentence_index=self._int(node, GOV.sentenceIndex),
                subject_start=self._int(node, GOV.subjectStart), subject_end=self._int(node, GOV.subjectEnd),
                object_start=self._int(node, GOV.objectStart), object_end=self._int(node, GOV.objectEnd),
                confidence=self._float(node, GOV.confidence),
                extractor=self._extractor(self._one(node, PROV.hadActivity)))))
        return sorted(rows, key=lambda p: (p.document_id, p.sentence_index, p.subject_start, p.object_start,
                                           p.subject_end, p.object_end, p.extractor.name, p.extractor.version,
                                           p.confidence))

    def _entity(self, entity_id: str) -> Entity | None:
        """The entity node's record; None when the export has no node for it."""
        if entity_id not in self._entities:
            node = URIRef(ENTITY_BASE + quote_id(entity_id))
            props = self.props.get(node)
            if not props or RDFS.label not in props:
                self._entities[entity_id] = None
            else:
                types = sorted(_gov_name(t, node) for t in props.get(RDF.type, []) if str(t).startswith(NAMESPACE))
                if not types:
                    raise RdfContentError(Errors.O022, node=node)
                if len(types) > 1:
                    types = [(self.ontology or load_ontology()).most_specific(types)]
                name = self._str(node, RDFS.label)
                aliases = sorted({str(a) for a in props.get(SKOS.altLabel, [])} - {name})
                self._entities[entity_id] = _build(node, lambda: Entity(
                    id=entity_id, name=name, type=types[0], aliases=tuple(aliases)))
        return self._entities[entity_id]

    def _extractor(self, node: Node) -> Extractor:
        if node not in self._extractors:
            self._extractors[node] = _build(node, lambda: Extractor(
                name=self._str(node, GOV.extractorName), version=self._str(node, GOV.extractorVersion)))
        return self._extractors[node]

    # -- values --------------------------------------------------------------------------

    def _one(self, node: Node, prop: URIRef, required: bool = True) -> Node | None:
        values = self.props.get(node, {}).get(prop, [])
        if len(values) > 1:
            raise RdfContentError(Errors.O023, node=node, prop=_short(prop), count=len(values))
        if not values:
            if required:
                raise RdfContentError(Errors.O011, node=node, prop=_short(prop))
            return None
        return values[0]

    def _literal(self, node: Node, prop: URIRef) -> Literal:
        value = self._one(node, prop)
        if not isinstance(value, Literal):
            raise RdfContentError(Errors.O024, node=node, prop=_short(prop), value=value)
        return value

    def _str(self, node: Node, prop: URIRef) -> str:
        return str(self._literal(node, prop))

    def _int(self, node: Node, prop: URIRef) -> int:
        value = self._literal(node, prop)
        try:
            return int(str(value))
        except ValueError as exc:
            raise RdfContentError(Errors.O025, node=node, prop=_short(prop), value=str(value)) from exc

    def _float(self, node: Node, prop: URIRef) -> float:
        value = self._literal(node, prop)
        try:
            return float(str(value))
        except ValueError as exc:
            raise RdfContentError(Errors.O026, node=node, prop=_short(prop), value=str(value)) from exc


def _id(node: Node | None, base: str) -> str:
    """The record id in an IRI `base + <quoted id>`."""
    text = str(node)
    if not isinstance(node, URIRef) or not text.startswith(base) or "/" in text[len(base):] or text == base:
        raise RdfContentError(Errors.O027, base=base, node=node)
    return unquote(text[len(base):])


def _gov_name(node: Node | None, owner: Node) -> str:
    text = str(node)
    if not isinstance(node, URIRef) or not text.startswith(NAMESPACE) or text == NAMESPACE:
        raise RdfContentError(Errors.O028, owner=owner, node=node)
    return unquote(text[len(NAMESPACE):])


def _short(prop: URIRef) -> str:
    for prefix, base in (("gov:", NAMESPACE), ("prov:", str(PROV)), ("dcterms:", str(DCTERMS)),
                         ("rdf:", str(RDF)), ("rdfs:", str(RDFS)), ("skos:", str(SKOS))):
        if str(prop).startswith(base):
            return prefix + str(prop)[len(base):]
    return str(prop)


def _build(node: Node, make: Callable[[], _T]) -> _T:
    """Run a record constructor; a pydantic error becomes RdfContentError naming the node."""
    try:
        return make()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors())
        raise RdfContentError(Errors.O029, node=node, problems=problems) from exc

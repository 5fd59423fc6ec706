"""Export document graphs as RDF that uses the ontology's IRIs, with PROV-O provenance.

What an export contains (all nodes are IRIs built from record ids, so there are no blank nodes
and export → import → export gives the same triples):

- Entities `https://govkg.org/id/entity/<id>`: typed with their most specific gov: class only
  (the SHACL shapes list subclasses, so no inferred super-types are needed), one `rdfs:label`
  (the name) and a `skos:altLabel` per alias.
- Facts, twice:
  1. the direct triple `entity gov:<predicate> entity`, so the export is an ordinary graph that
     SPARQL, the SHACL shapes and an OWL reasoner read as domain knowledge;
  2. a fact node `https://govkg.org/id/fact/<id>` typed `rdf:Statement` (`rdf:subject`,
     `rdf:predicate`, `rdf:object`), with `gov:confidence` (the best of its derivations),
     `prov:wasDerivedFrom` each document that supports it, and one
     `prov:qualifiedDerivation` per provenance row: a `prov:Derivation` node with
     `prov:entity` the document, `prov:hadActivity` the extractor activity
     `https://govkg.org/id/extractor/<name>/<version>` (a `prov:Activity`), and
     `gov:sentenceIndex`, `gov:subjectStart/End`, `gov:objectStart/End`, `gov:confidence`.
- Candidate facts (held back at write time) `https://govkg.org/id/candidate/<document>/<fact>`:
  typed `gov:CandidateFact` (a subclass of `rdf:Statement`), with the same reification and
  derivations, `gov:candidateStatus`, `gov:reason` and `gov:inDocument`. They are never
  asserted as direct triples: a rejected candidate violates the ontology by definition.
- Documents `https://govkg.org/id/document/<id>` (`prov:Entity`, `foaf:Document`):
  `dcterms:title`, `dcterms:source` (the source path), `gov:sourceName`, `gov:format`,
  `gov:department`, `dcterms:issued` (`xsd:gYear`, `xsd:gYearMonth` or `xsd:date` by the
  shape of the partial date), one `gov:accessLabel` per label, `gov:metadata` (an `rdf:JSON`
  literal, keys sorted) and the full text as `gov:text`.
- Sentences `<document>/sentence/<index>` (`gov:Sentence`) and mentions
  `https://govkg.org/id/mention/<id>` (`gov:Mention`, `prov:wasGeneratedBy` the extractor,
  `gov:refersTo` the entity): `dcterms:isPartOf` the document, offsets into its text.

Why PROV-O with RDF reification rather than named graphs: the three formats asked for
(Turtle, JSON-LD as produced here, N-Triples) are triple formats, and a named graph per fact
or per provenance row needs TriG or N-Quads. A fact also has several provenance rows (one per
supporting sentence, possibly from several documents and extractors), each with its own
offsets and confidence; a graph name can carry that only through another layer of
statements about the graph. A reified statement node plus one `prov:Derivation` per row
keeps everything in one default graph, uses only W3C vocabularies for the structure (PROV-O,
RDF, DCMI, FOAF, SKOS) and leaves the direct triple untouched for SPARQL, SHACL and OWL. The few
gov: terms this needs (offsets, confidence, status, ...) are declared in
`ontology/provenance.ttl`, not in `govkg.ttl`, so the domain ontology stays what
`load_ontology()` reads.

Literals: offsets and indexes are `xsd:integer`. Confidences are `xsd:decimal` written as
the shortest decimal that reads back as the same binary float (`repr`): rdflib's Turtle
writer abbreviates `xsd:double` to six significant digits (`3e-01` for 0.30000000000000004),
which would not survive a round trip, while decimals are written digit for digit.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from pathlib import PurePath
from urllib.parse import quote

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV

from extraction.records import DocumentGraph, Entity, Extractor, Fact, Provenance
from ontology.errors import Errors, RdfFormatError, UnknownClass, UnknownPredicate
from ontology.reasoning import ShaclReport, validate_rdf
from ontology.schema import NAMESPACE, ONTOLOGY_DIR, Ontology

GOV = Namespace(NAMESPACE)
ID_BASE = "https://govkg.org/id/"
DOCUMENT_BASE = ID_BASE + "document/"
ENTITY_BASE = ID_BASE + "entity/"
FACT_BASE = ID_BASE + "fact/"
CANDIDATE_BASE = ID_BASE + "candidate/"
MENTION_BASE = ID_BASE + "mention/"
EXTRACTOR_BASE = ID_BASE + "extractor/"
PROVENANCE_PATH = ONTOLOGY_DIR / "provenance.ttl"

# export format name → rdflib plugin name; file suffix → export format name
FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "nt": "nt"}
SUFFIXES = {".ttl": "turtle", ".turtle": "turtle", ".jsonld": "jsonld", ".json": "jsonld", ".nt": "nt"}

PREFIXES = {
    "gov": NAMESPACE,
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "document": DOCUMENT_BASE,
    "entity": ENTITY_BASE,
    "fact": FACT_BASE,
    "mention": MENTION_BASE,
}

# RFC 3986 path characters except "/", so ids with slashes or spaces still make one segment
_SAFE = "-._~!$&'()*+,;=:@"


# -- IRIs ------------------------------------------------------------------------------------

def quote_id(value: str) -> str:
    """An id as one IRI path segment (percent-encoded; urllib.parse.unquote reverses it)."""
    return quote(value, safe=_SAFE)


def document_iri(document_id: str) -> URIRef:
    return URIRef(DOCUMENT_BASE + quote_id(document_id))


def sentence_iri(document_id: str, index: int) -> URIRef:
    return URIRef(f"{DOCUMENT_BASE}{quote_id(document_id)}/sentence/{index}")


def entity_iri(entity_id: str) -> URIRef:
    return URIRef(ENTITY_BASE + quote_id(entity_id))


def fact_iri(fact_id: str) -> URIRef:
    return URIRef(FACT_BASE + quote_id(fact_id))


def candidate_iri(document_id: str, fact_id: str) -> URIRef:
    return URIRef(f"{CANDIDATE_BASE}{quote_id(document_id)}/{quote_id(fact_id)}")


def mention_iri(mention_id: str) -> URIRef:
    return URIRef(MENTION_BASE + quote_id(mention_id))


def extractor_iri(extractor: Extractor) -> URIRef:
    return URIRef(f"{EXTRACTOR_BASE}{quote_id(extractor.name)}/{quote_id(extractor.version)}")


def term_iri(name: str) -> URIRef:
    """gov:<name> without checking the ontology (mention types, candidate predicates)."""
    return URIRef(NAMESPACE + quote_id(name))


def derivation_iri(owner: URIRef, prov: Provenance) -> URIRef:
    """One node per provenance row, named by a digest of the whole row (rows are a set)."""
    key = json.dumps(prov.model_dump(mode="json"), sort_keys=True)
    return URIRef(f"{owner}/derivation/{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}")


# -- literals --------------------------------------------------------------------------------

def confidence_literal(value: float) -> Literal:
    """xsd:decimal, digit for digit the shortest form that reads back as the same float."""
    return Literal(format(Decimal(repr(float(value))), "f"), datatype=XSD.decimal)


def published_literal(value: str) -> Literal:
    """A partial ISO date typed by its shape: 2001 gYear, 2001-02 gYearMonth, 2001-02-27 date."""
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)
    return Literal(value, datatype=datatype)


# -- export ----------------------------------------------------------------------------------

def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)
    return graph


def export_graph(graphs: Iterable[DocumentGraph], ontology: Ontology) -> Graph:
    """One RDF graph for the given document graphs (see the module docstring for its shape).

    An entity or fact that several documents share becomes one node: aliases are merged,
    a fact's confidence is the best any document gives it. Entity types and fact predicates
    must be ontology terms (UnknownClass / UnknownPredicate otherwise); mention types and
    candidate predicates are exported as gov: IRIs as they are, since a rejected candidate
    may name what the ontology does not know.
    """
    out = bind_prefixes(Graph())
    triples: list[tuple[URIRef, URIRef, URIRef | Literal]] = []
    add = triples.append
    entities: dict[str, Entity] = {}
    aliases: dict[str, set[str]] = {}
    facts: dict[str, Fact] = {}
    best: dict[str, float] = {}
    extractors: set[Extractor] = set()

    def derivation(owner: URIRef, prov: Provenance) -> None:
        node = derivation_iri(owner, prov)
        extractors.add(prov.extractor)
        add((owner, PROV.qualifiedDerivation, node))
        add((node, RDF.type, PROV.Derivation))
        add((node, PROV.entity, document_iri(prov.document_id)))
        add((node, PROV.hadActivity, extractor_iri(prov.extractor)))
        add((node, GOV.sentenceIndex, Literal(prov.sentence_index)))
        add((node, GOV.subjectStart, Literal(prov.subject_start)))
        add((node, GOV.subjectEnd, Literal(prov.subject_end)))
        add((node, GOV.objectStart, Literal(prov.object_start)))
        add((node, GOV.objectEnd, Literal(prov.object_end)))
        add((node, GOV.confidence, confidence_literal(prov.confidence)))

    for dg in graphs:
        doc = dg.document
        d = document_iri(doc.id)
        add((d, RDF.type, PROV.Entity))
        add((d, RDF.type, FOAF.Document))
        add((d, DCTERMS.title, Literal(doc.title)))
        add((d, DCTERMS.source, Literal(doc.source_path)))
        add((d, GOV.sourceName, Literal(doc.source_name)))
        add((d, GOV["format"], Literal(doc.format)))
        if doc.department is not None:
            add((d, GOV.department, Literal(doc.department)))
        if doc.published is not None:
            add((d, DCTERMS.issued, published_literal(doc.published)))
        for label in doc.labels:
            add((d, GOV.accessLabel, Literal(label)))
        if doc.metadata:
            add((d, GOV.metadata, Literal(json.dumps(doc.metadata, sort_keys=True, ensure_ascii=False),
                                          datatype=RDF.JSON)))
        add((d, GOV.text, Literal(doc.text)))

        for s in dg.sentences:
            node = sentence_iri(s.document_id, s.index)
            add((node, RDF.type, GOV.Sentence))
            add((node, DCTERMS.isPartOf, document_iri(s.document_id)))
            add((node, GOV.sentenceIndex, Literal(s.index)))
            add((node, GOV.start, Literal(s.start)))
            add((node, GOV.end, Literal(s.end)))
            add((node, GOV.text, Literal(s.text)))

        for m in dg.mentions:
            node = mention_iri(m.id)
            extractors.add(m.extractor)
            add((node, RDF.type, GOV.Mention))
            add((node, DCTERMS.isPartOf, document_iri(m.document_id)))
            add((node, GOV.sentenceIndex, Literal(m.sentence_index)))
            add((node, GOV.start, Literal(m.start)))
            add((node, GOV.end, Literal(m.end)))
            add((node, GOV.text, Literal(m.text)))
            add((node, GOV.mentionType, term_iri(m.type)))
            add((node, GOV.confidence, confidence_literal(m.confidence)))
            add((node, PROV.wasGeneratedBy, extractor_iri(m.extractor)))
            if m.entity_id is not None:
                add((node, GOV.refersTo, entity_iri(m.entity_id)))
            if m.gazetteer_key is not None:
                add((node, GOV.gazetteerKey, Literal(m.gazetteer_key)))

        for e in dg.entities:
            if not ontology.has_class(e.type):
                raise UnknownClass(Errors.O006, id=e.id, name=e.name, type=e.type)
            entities.setdefault(e.id, e)
            aliases.setdefault(e.id, set()).update(e.aliases)

        for f in dg.facts:
            if not ontology.has_predicate(f.predicate):
                raise UnknownPredicate(Errors.O007, id=f.id, predicate=f.predicate)
            node = fact_iri(f.id)
            facts.setdefault(f.id, f)
            best[f.id] = max(best.get(f.id, f.confidence), f.confidence)
            add((node, PROV.wasDerivedFrom, d))
            for prov in f.provenance:
                derivation(node, prov)

        for c in dg.candidates:
            f = c.fact
            node = candidate_iri(doc.id, f.id)
            add((node, RDF.type, GOV.CandidateFact))
            add((node, GOV.inDocument, d))
            add((node, RDF.subject, entity_iri(f.subject_id)))
            add((node, RDF.predicate, term_iri(f.predicate)))
            add((node, RDF.object, entity_iri(f.object_id)))
            add((node, GOV.confidence, confidence_literal(f.confidence)))
            add((node, GOV.candidateStatus, Literal(c.status)))
            add((node, GOV.reason, Literal(c.reason)))
            for prov in f.provenance:
                derivation(node, prov)

    for entity_id, e in entities.items():
        node = entity_iri(entity_id)
        add((node, RDF.type, URIRef(ontology.iri(e.type))))
        add((node, RDFS.label, Literal(e.name)))
        for alias in sorted(aliases[entity_id] - {e.name}):
            add((node, SKOS.altLabel, Literal(alias)))

    for fid, f in facts.items():
        node, predicate = fact_iri(fid), URIRef(ontology.iri(f.predicate))
        subject, obj = entity_iri(f.subject_id), entity_iri(f.object_id)
        add((subject, predicate, obj))
        add((node, RDF.type, RDF.Statement))
        add((node, RDF.subject, subject))
        add((node, RDF.predicate, predicate))
        add((node, RDF.object, obj))
        add((node, GOV.confidence, confidence_literal(best[fid])))

    for extractor in extractors:
        node = extractor_iri(extractor)
        add((node, RDF.type, PROV.Activity))
        add((node, RDFS.label, Literal(f"{extractor.name} {extractor.version}")))
        add((node, GOV.extractorName, Literal(extractor.name)))
        add((node, GOV.extractorVersion, Literal(extractor.version)))

    out.addN((s, p, o, out) for s, p, o in triples)
    return out


def serialize(graph: Graph, format: str) -> str:
    """The graph as `turtle`, `jsonld` (compacted with the export's prefixes) or `nt`.

    N-Triples come out sorted, so the same graph always gives the same bytes.
    """
    if format not in FORMATS:
        raise RdfFormatError(Errors.O015, format=format, known=", ".join(FORMATS))
    if format == "nt":
        lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        return "".join(line + "\n" for line in sorted(filter(None, lines)))
    if format == "jsonld":
        return graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    return graph.serialize(format="turtle")


def format_for(path: str, given: str | None = None) -> str:
    """The export format for a file: `given` when set, else guessed from the suffix."""
    if given is not None:
        if given not in FORMATS:
            raise RdfFormatError(Errors.O015, format=given, known=", ".join(FORMATS), path=path)
        return given
    suffix = PurePath(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise RdfFormatError(Errors.O016, path=path, suffix=suffix or "(none)")
    return SUFFIXES[suffix]


# -- validation ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _vocabulary() -> Graph:
    return Graph().parse(PROVENANCE_PATH, format="turtle")


def validate_export(data: Graph) -> ShaclReport:
    """pySHACL over an export with `ontology/shapes.ttl`, the ontology and the export vocabulary.

    The vocabulary is merged into (a copy of) the data graph, which is what pySHACL does with
    an ontology graph anyway; `ontology.reasoning.validate_rdf` adds the ontology itself.
    """
    merged = Graph()
    merged += data
    merged += _vocabulary()
    return validate_rdf(merged)


def count_nodes(graph: Graph) -> dict[str, int]:
    """How many documents, entities, facts and candidate facts an export holds, and its triples."""
    entities = {s for s in graph.subjects(RDFS.label) if str(s).startswith(ENTITY_BASE)}
    return {
        "triples": len(graph),
        "documents": len(set(graph.subjects(RDF.type, FOAF.Document))),
        "entities": len(entities),
        "facts": len(set(graph.subjects(RDF.type, RDF.Statement))),
        "candidates": len(set(graph.subjects(RDF.type, GOV.CandidateFact))),
    }

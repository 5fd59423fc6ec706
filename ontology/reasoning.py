"""Offline checks of the ontology and of RDF exports.

- `check_consistency` runs the HermiT OWL reasoner (bundled with owlready2, needs Java) on the
  ontology, optionally together with instance data, and reports whether it is consistent.
- `validate_rdf` validates an RDF export against the SHACL shapes in `ontology/shapes.ttl`.
"""
from __future__ import annotations

import io
import subprocess
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from rdflib import Graph

from ontology.errors import Errors, OntologyError, ReasonerError
from ontology.schema import DEFAULT_PATH, NAMESPACE, ONTOLOGY_DIR

DEFAULT_SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"
OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"


class ConsistencyReport(BaseModel):
    """Outcome of one reasoner run."""

    model_config = ConfigDict(frozen=True)

    consistent: bool
    inconsistent_classes: list[str]  # unsatisfiable classes (equivalent to owl:Nothing)
    elapsed_seconds: float
    triples: int  # size of the input handed to the reasoner
    reasoner: str = "HermiT"


class ShaclReport(BaseModel):
    """Outcome of a SHACL validation."""

    model_config = ConfigDict(frozen=True)

    conforms: bool
    violations: list[str]  # one line per result: focus node, path, message
    text: str  # pyshacl's full report


def _parse(path: Path, what: str) -> Graph:
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise OntologyError(Errors.O042, what=what, path=path) from exc
    return graph


def check_consistency(path: Path | None = None, data: Graph | None = None) -> ConsistencyReport:
    """Run HermiT on the ontology at `path` (default `ontology/govkg.ttl`).

    `data`, when given, is instance data (typed entities and gov: facts) merged into the
    ontology first, so the reasoner also checks it against disjointness, domains and ranges.
    owlready2 cannot read Turtle, so the merged graph is handed over as N-Triples.
    """
    import owlready2

    graph = _parse(Path(path) if path is not None else DEFAULT_PATH, "ontology")
    if data is not None:
        graph += data
    ntriples = graph.serialize(format="nt", encoding="utf-8")

    world = owlready2.World()
    started = time.perf_counter()
    try:
        onto = world.get_ontology(NAMESPACE.rstrip("#")).load(fileobj=io.BytesIO(ntriples), format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(onto, infer_property_values=False, debug=0)
            consistent = True
        except owlready2.OwlReadyInconsistentOntologyError:
            consistent = False
        unsatisfiable = sorted(
            _local_name(c.iri) for c in world.inconsistent_classes() if c.iri != OWL_NOTHING
        ) if consistent else []
    except (OSError, subprocess.SubprocessError, owlready2.OwlReadyJavaError) as exc:
        raise ReasonerError(Errors.O005, reason=exc) from exc
    finally:
        world.close()
    return ConsistencyReport(
        consistent=consistent,
        inconsistent_classes=unsatisfiable,
        elapsed_seconds=round(time.perf_counter() - started, 3),
        triples=len(graph),
    )


def validate_rdf(
    data: Graph, shapes_path: Path | None = None, ontology_path: Path | None = None
) -> ShaclReport:
    """Validate an RDF export with pyshacl against `ontology/shapes.ttl`.

    The ontology is passed as pyshacl's `ont_graph`, so subclass axioms are available even
    when the export does not repeat them.
    """
    from pyshacl import validate

    shapes = _parse(Path(shapes_path) if shapes_path is not None else DEFAULT_SHAPES_PATH, "shapes")
    ontology = _parse(Path(ontology_path) if ontology_path is not None else DEFAULT_PATH, "ontology")
    conforms, results, text = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=False, allow_warnings=False
    )
    return ShaclReport(conforms=bool(conforms), violations=_violations(results), text=str(text))


def _violations(results: Graph) -> list[str]:
    rows = results.query(
        """
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?focus ?path ?message WHERE {
            ?r a sh:ValidationResult ; sh:focusNode ?focus .
            OPTIONAL { ?r sh:resultPath ?path }
            OPTIONAL { ?r sh:resultMessage ?message }
        }
        """
    )
    lines = {f"{row.focus} {row.path or '-'}: {row.message or 'violation'}" for row in rows}  # type: ignore[union-attr]
    return sorted(lines)


def _local_name(iri: str) -> str:
    return iri[len(NAMESPACE):] if iri.startswith(NAMESPACE) else iri

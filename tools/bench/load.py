"""`govkg bench load`: write N realistic facts through the production path, and a sample
through a naive one-transaction-per-fact baseline, and time both plus an all-present second pass.

Facts are drawn from the real gazetteers (members of Congress, committees, agencies,
departments, states) with Zipf-like reuse of popular entities, over several predicates that
respect the ontology. Each simulated document carries `facts_per_document` facts, all cited
from its one sentence, and is written with `GraphStore.write` — exactly what an import does.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from extraction.gazetteer.entries import GazetteerEntry
from extraction.records import (
    Document,
    DocumentGraph,
    Entity,
    Extractor,
    Fact,
    Provenance,
    Sentence,
    document_id,
    entity_id,
    fact_id,
)
from graph.store import GraphStore

EXTRACTOR = Extractor(name="bench-load", version="1")
# predicate → (subject type, object type), all inside the ontology's domain and range
PREDICATES = {
    "memberOf": ("Person", "Committee"),
    "represents": ("Person", "StateOrRegion"),
    "headOf": ("Person", "Agency"),
    "subOrganizationOf": ("Agency", "Department"),
    "employedBy": ("Person", "Department"),
}


class LoadBenchResult(BaseModel):
    store: str
    facts: int
    documents: int
    facts_per_document: int
    batched_seconds: float
    batched_facts_per_s: float
    second_pass_seconds: float
    second_pass_facts_per_s: float
    naive_sample: int
    naive_seconds: float
    naive_facts_per_s: float
    speedup_vs_naive: float
    facts_in_store: int
    entities_in_store: int
    duplicates: bool


@dataclass(frozen=True)
class Plan:
    graphs: list[DocumentGraph]
    facts: list[tuple[Fact, Entity, Entity]]  # every fact with its two entities, for the naive path


def _zipf_pick(rng: random.Random, items: list[Entity], exponent: float = 1.1) -> Entity:
    # inverse-CDF sampling of a Zipf-like rank distribution over a shuffled, fixed order
    rank = int(len(items) ** rng.random() ** exponent) - 1
    return items[min(max(rank, 0), len(items) - 1)]


def plan_facts(entries: list[GazetteerEntry], n_facts: int, facts_per_document: int, seed: int = 13) -> Plan:
    rng = random.Random(seed)
    pools: dict[str, list[Entity]] = {}
    for entry in entries:
        pools.setdefault(entry.type, []).append(
            Entity(id=entity_id(entry.key), name=entry.name, type=entry.type, aliases=entry.aliases))
    for pool in pools.values():
        rng.shuffle(pool)
    chosen: dict[str, tuple[Fact, Entity, Entity]] = {}
    predicates = list(PREDICATES)
    attempts = 0
    while len(chosen) < n_facts:
        attempts += 1
        if attempts > n_facts * 50:
            raise ValueError(f"the gazetteers cannot make {n_facts} distinct facts")
        predicate = rng.choice(predicates)
        subject_type, object_type = PREDICATES[predicate]
        subject, obj = _zipf_pick(rng, pools[subject_type]), _zipf_pick(rng, pools[object_type])
        fid = fact_id(subject.id, predicate, obj.id)
        if fid not in chosen:
            confidence = round(rng.uniform(0.6, 0.99), 3)
            chosen[fid] = (Fact(id=fid, subject_id=subject.id, predicate=predicate, object_id=obj.id,
                                confidence=confidence, provenance=()), subject, obj)
    facts = list(chosen.values())
    graphs: list[DocumentGraph] = []
    cited_all: list[tuple[Fact, Entity, Entity]] = []
    for start in range(0, len(facts), facts_per_document):
        chunk = facts[start : start + facts_per_document]
        text = f"Benchmark document {start // facts_per_document}: " + "; ".join(
            f"{s.name} {f.predicate} {o.name}" for f, s, o in chunk[:3]) + "."
        doc = Document(id=document_id(text), text=text, title=f"bench {start}", source_path=f"bench:{start}",
                       source_name=f"bench-{start}.txt", format="txt", department="Benchmark")
        sentence = Sentence(document_id=doc.id, index=0, start=0, end=len(text), text=text)
        prov = Provenance(document_id=doc.id, sentence_index=0, subject_start=0, subject_end=1, object_start=0,
                          object_end=1, confidence=0.9, extractor=EXTRACTOR)
        cited = [(f.model_copy(update={"provenance": (prov,)}), s, o) for f, s, o in chunk]
        cited_all += cited
        entities = {e.id: e for _, s, o in chunk for e in (s, o)}
        graphs.append(DocumentGraph(document=doc, sentences=(sentence,), mentions=(),
                                    entities=tuple(entities.values()), facts=tuple(f for f, _, _ in cited)))
    return Plan(graphs=graphs, facts=cited_all)


def run_load_bench(
    store: GraphStore,
    plan: Plan,
    naive_write: Callable[[Fact, Entity, Entity], None],
    naive_sample: int,
    progress: Callable[[str], None] = lambda _: None,
) -> LoadBenchResult:
    n = sum(len(g.facts) for g in plan.graphs)
    before = store.stats()
    progress(f"batched path: {n} facts in {len(plan.graphs)} documents")
    started = time.perf_counter()
    for graph in plan.graphs:
        store.write(graph)
    batched = time.perf_counter() - started
    after_first = store.stats()
    progress("second pass over the same facts")
    started = time.perf_counter()
    for graph in plan.graphs:
        store.write(graph)
    second = time.perf_counter() - started
    after_second = store.stats()
    sample = plan.facts[: min(naive_sample, len(plan.facts))]
    progress(f"naive path: {len(sample)} facts, one transaction each")
    started = time.perf_counter()
    for fact, subject, obj in sample:
        naive_write(fact, subject, obj)
    naive = time.perf_counter() - started
    after_naive = store.stats()
    naive_rate = len(sample) / naive if naive > 0 else 0.0
    batched_rate = n / batched if batched > 0 else 0.0
    return LoadBenchResult(
        store=store.name, facts=n, documents=len(plan.graphs), facts_per_document=len(plan.graphs[0].facts),
        batched_seconds=round(batched, 3), batched_facts_per_s=round(batched_rate, 1),
        second_pass_seconds=round(second, 3), second_pass_facts_per_s=round(n / second, 1) if second else 0.0,
        naive_sample=len(sample), naive_seconds=round(naive, 3), naive_facts_per_s=round(naive_rate, 1),
        speedup_vs_naive=round(batched_rate / naive_rate, 1) if naive_rate else 0.0,
        facts_in_store=after_naive.facts, entities_in_store=after_naive.entities,
        duplicates=not (after_first.facts - before.facts == n
                        and after_first.facts == after_second.facts == after_naive.facts
                        and after_first.entities == after_second.entities == after_naive.entities),
    )

"""Generates ontology/shapes.ttl from govkg.ttl; the output is committed as data.

    .venv/bin/python -m tools.generate_shapes > ontology/shapes.ttl

tests/unit/test_ontology.py checks that the committed shapes still mirror the ontology; rerun this
after changing a domain, a range or the class list.
"""
from ontology import load_ontology

o = load_ontology()
classes = [c.name for c in o.classes()]
# classes in a readable order (the shapes file lists them in this order); every class must be here
order = ["Entity", "Person", "Organization", "GovernmentOrganization", "Agency", "Department", "Committee",
         "Legislature", "Court", "PoliticalParty", "Company", "Location", "Country", "StateOrRegion", "City",
         "Position", "Legislation", "Act", "Regulation", "ExecutiveOrder", "Program", "Event", "MonetaryAmount", "Date"]
assert sorted(order) == sorted(classes)

def closure(names):
    out = []
    for n in names:
        for c in order:
            if o.is_subclass(c, n) and c not in out:
                out.append(c)
    return out

def wrap(items, indent, width=100):
    rows, row = [], ""
    for item in items:
        if row and len(row) + 1 + len(item) + indent > width:
            rows.append(row)
            row = item
        else:
            row = f"{row} {item}" if row else item
    rows.append(row)
    return ("\n" + " " * indent).join(rows)

def constraint(names, indent):
    cls = closure(names)
    if len(cls) == 1:
        return f"sh:class gov:{cls[0]}"
    return "sh:or ( " + wrap([f"[ sh:class gov:{c} ]" for c in cls], indent + 8) + " )"

lines = ['''@prefix gov:    <https://govkg.org/ontology#> .
@prefix govsh:  <https://govkg.org/shapes#> .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh:     <http://www.w3.org/ns/shacl#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .

# SHACL shapes for GovKG's RDF export.
#
# - govsh:EntityShape: every entity node (a node typed with a gov: class, or the subject or
#   object of a gov: fact) has exactly one rdfs:label (xsd:string) and at least one gov: type.
# - One shape per predicate for its domain and one for its range, mirroring rdfs:domain and
#   rdfs:range in govkg.ttl. Each allowed class is listed together with its subclasses, so an
#   export that types a node only with its most specific class validates without the ontology
#   being merged into the data graph. tests/unit/test_ontology.py checks that these shapes stay
#   in step with govkg.ttl.

govsh:EntityShape a sh:NodeShape ;''']
lines.append("    sh:targetClass " + wrap([f"gov:{c}," for c in order], 8)[:-1] + " ;")
preds = [p.name for p in o.predicates()]
lines.append("    sh:targetSubjectsOf " + wrap([f"gov:{p}," for p in preds], 8)[:-1] + " ;")
lines.append("    sh:targetObjectsOf " + wrap([f"gov:{p}," for p in preds], 8)[:-1] + " ;")
lines.append('''    sh:property [
        sh:path rdfs:label ;
        sh:minCount 1 ;
        sh:maxCount 1 ;
        sh:datatype xsd:string ;
        sh:message "An entity needs exactly one rdfs:label, a plain string." ;
    ] ;
    sh:property [
        sh:path rdf:type ;
        sh:qualifiedValueShape [ sh:in ( ''' + wrap([f"gov:{c}" for c in order], 12) + ''' ) ] ;
        sh:qualifiedMinCount 1 ;
        sh:message "An entity needs a type that is a gov: class." ;
    ] .
''')
for p in o.predicates():
    for role, target, names, word in (("Domain", "sh:targetSubjectsOf", p.domain, "subject"),
                                      ("Range", "sh:targetObjectsOf", p.range, "object")):
        kinds = (", ".join(names[:-1]) + " or " + names[-1]) if len(names) > 1 else names[0]
        lines.append(f'''govsh:{p.name}{role}Shape a sh:NodeShape ;
    {target} gov:{p.name} ;
    {constraint(names, 4)} ;
    sh:message "The {word} of gov:{p.name} must have type {kinds}." .
''')
print("\n".join(lines), end="")

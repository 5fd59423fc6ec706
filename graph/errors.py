"""All error messages of the graph package, with codes, and its exceptions (see core/errors.py).
`api/errors.py` maps them to HTTP in one place."""
from __future__ import annotations

from core.errors import Catalogue, GovKGError


class Errors(Catalogue):
    # the store: reaching it, ids, URLs, writes
    G001 = "Neo4j at {uri} is unavailable ({reason}): is the server running and the URI right (GOVKG_NEO4J__URI)?"
    G002 = "no {kind} with id {id!r}"
    G003 = ("unknown store {url!r}: use 'sqlite', 'sqlite:///path/to/file.db' or a Neo4j URI ({schemes})")
    G004 = "write to {where} rolled back: {reason}"
    G005 = "authentication failed for user {user!r} at {uri}: check GOVKG_NEO4J__USER / GOVKG_NEO4J__PASSWORD"
    G006 = "Neo4j at {uri} has no database {database!r} (GOVKG_NEO4J__DATABASE)"
    G007 = "cannot create the folder for {path}: {reason}"
    G008 = "cannot open {path}: {reason}"
    G009 = "Neo4j query failed at {uri}: {reason}"
    # the local Neo4j server (tools/neo4j_server.py): jars, password, start, stop
    G010 = ("Maven (mvn) not found {where}; it is needed once to download the Neo4j jars. Install Maven 3.6+ "
            "(e.g. `apt-get install maven`) or fill the jar cache {lib_dir} on a machine that has it.")
    G011 = "the Neo4j pom is missing: {path}"
    G012 = "mvn did not finish within {limit}s resolving Neo4j {version}:\n{output}"
    G013 = "could not run mvn ({mvn}): {reason}"
    G014 = "mvn failed (exit {exit}) resolving Neo4j {version} with {pom}:\n{output}"
    G015 = "mvn finished but {folder} lacks {missing}"
    G016 = "password file vanished: {path}"
    G017 = "cannot read the password file {path}: {reason}"
    G018 = "the password file {path} is empty; delete it and the server's data/ folder to start afresh"
    G019 = ("{data_dir} holds an initialised Neo4j store but the password file {path} is missing: restore it, "
            "or delete {data_dir} to start with an empty store and a new password")
    G020 = "Neo4j pid {pid} survived SIGKILL"
    G021 = "neo4j-admin dbms set-initial-password failed: {reason}"
    G022 = "neo4j-admin dbms set-initial-password failed (exit {exit}):\n{output}"
    G023 = "could not launch {java}: {reason}"
    G024 = "Neo4j (pid {pid}) exited during startup{exit}.\n{log}"
    G025 = "Neo4j (pid {pid}) is up but {detail}{stopped}"
    G026 = "Neo4j (pid {pid}) did not answer on {uri} within {limit:.0f}s ({detail}){killed}.\n{log}"
    G027 = ("cannot start Neo4j: {name} port {port} on {host} is {problem} by another process (no GovKG Neo4j "
            "server of {home} is running). Stop that process or choose other bolt_port/http_port settings.")
    G028 = "the configured java executable does not exist: {path}"
    G029 = ("Neo4j needs Java {wanted} and none was found ({tried}). Install one (e.g. `apt-get install "
            "openjdk-17-jre-headless`) and pass its java executable (JAVA_HOME/bin/java) in the settings.")
    G030 = "not allowed to signal Neo4j pid {pid}: {reason}"
    # store URLs and connection settings
    G040 = "{url}: Neo4j connection settings are missing"
    G041 = "{uri}: not a usable Neo4j URI ({reason})"
    G042 = "{uri}: not a Neo4j Bolt URI (use {schemes})"
    # writes and reads that do not add up
    G050 = "document {document_id} has {sentences} sentences, got {vectors} vectors"
    G051 = ("fact predicate {predicate!r} cannot be a Neo4j relationship type (letters, digits and _ only, "
            "not a reserved GovKG type)")
    G052 = "{missing} of {wanted} rows not written: {problem}"
    G053 = "candidate {candidate} cites sentence {sentence} of {document_id}, which the store does not hold"
    # the write-ceiling benchmark (tools/bench/ceiling.py)
    G060 = "write ceiling: wrote {made} of {wanted} relationships of a batch"
    G061 = "write ceiling: {stored} relationships stored, expected {wanted}"
    G062 = "write ceiling: {reason}"


class GraphError(GovKGError):
    """Base class for every error raised by a graph store or the Neo4j server manager."""

    catalogue = Errors
    package = "graph"


class StoreUnavailable(GraphError):
    """The store cannot be reached (server down, wrong credentials, unreadable file)."""


class NotFound(GraphError):
    """An id that the store does not hold."""


class InvalidStoreUrl(GraphError):
    """A --store URL or setting that names no known store."""


class WriteFailed(GraphError):
    """A write that did not commit; nothing of it was kept."""


class Neo4jServerError(GraphError):
    """The local Neo4j server could not be provisioned, started or stopped."""

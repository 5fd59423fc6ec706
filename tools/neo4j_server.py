"""Provision and run a local Neo4j Community 5.26 LTS server without Docker.

The server's class path comes from Maven Central: `tools/neo4j_pom.xml` depends on
`org.neo4j:neo4j` (which brings the Bolt server, the HTTP server and `neo4j-admin`);
`mvn dependency:copy-dependencies` copies its ~210 jars (~125 MB) once into a cache
outside the repository. The server is then the plain JVM
`java -cp '<jar_cache>/lib/*' org.neo4j.server.CommunityEntryPoint`, detached from the
caller, with every file it writes under one home folder:

    <home>/conf/neo4j.conf   generated on every start from Neo4jServerConfig
    <home>/data/             databases, transaction logs, initial auth
    <home>/logs/             neo4j.log, debug.log, http.log, console.log (JVM stdout/stderr)
    <home>/run/neo4j.pid     pid of the running server
    <home>/password          generated password of the `neo4j` user (mode 0600)

and in the jar cache (default ~/.cache/govkg/neo4j-<version>, shared by all homes):

    lib/                     the jars;  resolved.json  marks a completed resolution
    cds/server-*.jsa         JVM class-data-sharing archive (written by the first clean stop,
                             makes later starts ~40% faster; `class_data_sharing=False` to skip)

Everything comes from the config object; this module reads no environment variables
(child processes inherit the caller's environment, minus NEO4J_* variables).
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pydantic
from pydantic import Field, field_validator, model_validator

from graph.errors import Errors, Neo4jServerError

log = logging.getLogger(__name__)

#: The pinned Neo4j release (newest 5.26 LTS patch that resolves on Maven Central).
NEO4J_VERSION = "5.26.31"
#: The pom that lists the server's class path; shipped next to this module.
POM_PATH = Path(__file__).with_name("neo4j_pom.xml")
#: Where to look for another JDK when the default `java` is not one Neo4j supports.
JVM_ROOTS: tuple[Path, ...] = (Path("/usr/lib/jvm"), Path("/Library/Java/JavaVirtualMachines"))

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
_MARKER = "resolved.json"
_REQUIRED_JARS = ("neo4j-{v}.jar", "neo4j-server-{v}.jar", "neo4j-bolt-{v}.jar", "neo4j-dbms-{v}.jar")
_MVN_TIMEOUT_S = 1800
_LOG_TAIL_LINES = 40
_SIZE_RE = re.compile(r"^\d+[kKmMgG]?$")


def default_jar_cache(version: str = NEO4J_VERSION) -> Path:
    return Path.home() / ".cache" / "govkg" / f"neo4j-{version}"


class Neo4jServerConfig(pydantic.BaseModel):
    """Everything the local server manager needs; built by the caller from its settings."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    home: Path
    """Server home: conf/, data/, logs/, run/ and the password file live here."""
    version: str = NEO4J_VERSION
    jar_cache: Path = None  # type: ignore[assignment]  # default: ~/.cache/govkg/neo4j-<version>
    host: str = "127.0.0.1"
    bolt_port: int = Field(7687, ge=1, le=65535)
    http_port: int = Field(7474, ge=1, le=65535)
    heap: str = "2g"
    """-Xmx of the server JVM."""
    heap_initial: str = "512m"
    """-Xms; below `heap` so an idle dev server stays small."""
    pagecache: str = "512m"
    user: str = "neo4j"
    java: str | None = None
    """Java executable (e.g. JAVA_HOME/bin/java); default `java` on PATH. Neo4j 5.26 needs
    Java 17 or 21: an installed java of another version is skipped for a suitable JDK under
    /usr/lib/jvm (a warning is logged); a java that does not exist is an error."""
    mvn: str | None = None
    """Maven executable; default `mvn` on PATH. Only needed while the jar cache is empty."""
    tx_timeout: str = "10m"
    """db.transaction.timeout: transactions running longer are terminated."""
    lock_timeout: str = "2m"
    """db.lock.acquisition.timeout."""
    extra_settings: dict[str, str] = Field(default_factory=dict)
    """More neo4j.conf lines (setting -> value), written last."""
    class_data_sharing: bool = True
    """Keep a JVM class-data-sharing archive (~115 MB) in the jar cache: the first clean
    stop writes it (+~7 s), later starts are ~40% faster (~6 s instead of ~10 s on 2 cores)."""

    @model_validator(mode="before")
    @classmethod
    def _default_jar_cache(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("jar_cache") is None:
            data = dict(data)
            data["jar_cache"] = default_jar_cache(str(data.get("version") or NEO4J_VERSION))
        return data

    @field_validator("heap", "heap_initial", "pagecache")
    @classmethod
    def _size(cls, value: str) -> str:
        if not _SIZE_RE.match(value):
            raise ValueError(f"not a JVM memory size like 512m or 2g: {value!r}")
        return value.lower()

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not re.fullmatch(r"\d+\.\d+\.\d+", value):
            raise ValueError(f"not a Neo4j release number like 5.26.31: {value!r}")
        return value

    @model_validator(mode="after")
    def _ports_differ(self) -> Neo4jServerConfig:
        if self.bolt_port == self.http_port:
            raise ValueError("bolt_port and http_port must differ")
        return self

    @property
    def client_host(self) -> str:
        """The address clients use (a wildcard listen address is reached on loopback)."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        return f"[{host}]" if ":" in host else host

    @property
    def listen_host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def bolt_uri(self) -> str:
        return f"bolt://{self.client_host}:{self.bolt_port}"

    @property
    def http_uri(self) -> str:
        return f"http://{self.client_host}:{self.http_port}"


class Neo4jServerStatus(pydantic.BaseModel):
    running: bool
    """The server process is alive and its Bolt port answers."""
    pid: int | None
    """Pid of the live server process (also while it is still starting), else None."""
    bolt_uri: str
    http_uri: str
    home: str
    version: str
    user: str
    password_file: str
    message: str


class Neo4jServer:
    """Start, stop and inspect one local Neo4j server (one home folder)."""

    def __init__(self, config: Neo4jServerConfig) -> None:
        self.config = config
        self.home = Path(os.path.abspath(config.home))
        self.jar_cache = Path(os.path.abspath(config.jar_cache))
        self.conf_dir = self.home / "conf"
        self.conf_file = self.conf_dir / "neo4j.conf"
        self.data_dir = self.home / "data"
        self.logs_dir = self.home / "logs"
        self.run_dir = self.home / "run"
        self.pid_file = self.run_dir / "neo4j.pid"
        self.password_file = self.home / "password"
        self.console_log = self.logs_dir / "console.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._java: tuple[str, int] | None = None

    # ------------------------------------------------------------------ jars

    @property
    def lib_dir(self) -> Path:
        return self.jar_cache / "lib"

    def ensure_jars(self) -> Path:
        """Resolve the server's jars into `<jar_cache>/lib` (once); return that folder."""
        if self._jars_complete():
            return self.lib_dir
        self.jar_cache.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.jar_cache / ".lock"):
            if self._jars_complete():  # another process finished while we waited
                return self.lib_dir
            self._resolve_jars()
        return self.lib_dir

    def _marker(self) -> dict[str, str]:
        return {"version": self.config.version, "pom_sha256": _sha256(POM_PATH)}

    def _jars_complete(self) -> bool:
        marker = self.jar_cache / _MARKER
        try:
            recorded = json.loads(marker.read_text())
        except (OSError, ValueError):
            return False
        if not isinstance(recorded, dict):
            return False
        wanted = self._marker()
        if any(recorded.get(k) != v for k, v in wanted.items()):
            return False
        return all((self.lib_dir / j.format(v=self.config.version)).is_file() for j in _REQUIRED_JARS)

    def _resolve_jars(self) -> None:
        mvn = shutil.which(self.config.mvn or "mvn")
        if mvn is None:
            raise Neo4jServerError(Errors.G010, where=f"at {self.config.mvn}" if self.config.mvn else "on PATH",
                                   lib_dir=self.lib_dir)
        if not POM_PATH.is_file():
            raise Neo4jServerError(Errors.G011, path=POM_PATH)
        partial = self.jar_cache / "lib.partial"
        shutil.rmtree(partial, ignore_errors=True)
        (self.jar_cache / _MARKER).unlink(missing_ok=True)
        cmd = [
            mvn, "-q", "-B", "-f", str(POM_PATH),
            f"-Dneo4j.version={self.config.version}",
            "dependency:copy-dependencies", f"-DoutputDirectory={partial}",
        ]
        env = _child_env()
        with contextlib.suppress(Neo4jServerError):  # mvn finds its own JDK when we cannot
            java, _ = self.java()
            env["JAVA_HOME"] = str(Path(os.path.realpath(java)).parent.parent)
        log.info("resolving Neo4j %s jars into %s (one-time download, ~125 MB)",
                 self.config.version, self.lib_dir)
        started = time.monotonic()
        try:
            done = subprocess.run(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                env=env, timeout=_MVN_TIMEOUT_S, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise Neo4jServerError(Errors.G012, limit=_MVN_TIMEOUT_S, version=self.config.version,
                                   output=_tail_text((exc.stdout or b"").decode("utf-8", "replace"))) from exc
        except OSError as exc:
            raise Neo4jServerError(Errors.G013, mvn=mvn, reason=exc) from exc
        output = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise Neo4jServerError(Errors.G014, exit=done.returncode, version=self.config.version, pom=POM_PATH,
                                   output=_tail_text(_strip_ansi(output)))
        missing = [
            j.format(v=self.config.version) for j in _REQUIRED_JARS
            if not (partial / j.format(v=self.config.version)).is_file()
        ]
        if missing:
            raise Neo4jServerError(Errors.G015, folder=partial, missing=", ".join(missing))
        shutil.rmtree(self.lib_dir, ignore_errors=True)
        partial.rename(self.lib_dir)
        marker = dict(self._marker(), jars=str(len(list(self.lib_dir.glob("*.jar")))))
        tmp = self.jar_cache / f"{_MARKER}.tmp"
        tmp.write_text(json.dumps(marker, indent=2) + "\n")
        tmp.replace(self.jar_cache / _MARKER)
        log.info("resolved %s jars in %.1fs", marker["jars"], time.monotonic() - started)

    # ------------------------------------------------------------------ java

    def java(self) -> tuple[str, int]:
        """The java executable to run the server with, and its major version."""
        if self._java is None:
            self._java = _select_java(self.config.java, _supported_java(self.config.version))
        return self._java

    # -------------------------------------------------------------- password

    def password(self) -> str:
        """The `neo4j` user's password: generated on first use, kept in <home>/password (0600)."""
        self.home.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self._read_password(required=True)  # type: ignore[return-value]
        secret = secrets.token_urlsafe(24)
        while not secret[0].isalnum():  # no leading "-": friendlier to `cypher-shell -p ...`
            secret = secrets.token_urlsafe(24)
        with os.fdopen(fd, "w") as fh:
            fh.write(secret + "\n")
        return secret

    def _read_password(self, required: bool = False) -> str | None:
        try:
            if self.password_file.stat().st_mode & 0o077:
                os.chmod(self.password_file, 0o600)
            value = self.password_file.read_text().strip()
        except FileNotFoundError:
            if required:
                raise Neo4jServerError(Errors.G016, path=self.password_file) from None
            return None
        except OSError as exc:
            raise Neo4jServerError(Errors.G017, path=self.password_file, reason=exc) from exc
        if not value:
            raise Neo4jServerError(Errors.G018, path=self.password_file)
        return value

    # ------------------------------------------------------------- lifecycle

    def start(self, timeout_s: float = 120) -> Neo4jServerStatus:
        """Start the server (or find it running) and wait until Bolt accepts the password."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.run_dir / "govkg.lock"):
            pid = self._live_pid()
            if pid is not None:
                # Already running (or still starting, launched by someone else): just wait.
                self._wait_ready(pid, timeout_s, launched=False)
                return self.status()
            self.pid_file.unlink(missing_ok=True)
            self._finish_cds(clean_exit=False)  # a dump of an earlier run that never finished
            java, major = self.java()
            lib = self.ensure_jars()
            self._check_ports()
            initialised = (self.data_dir / "databases" / "system").exists()
            if initialised and not self.password_file.exists():
                raise Neo4jServerError(Errors.G019, data_dir=self.data_dir, path=self.password_file)
            password = self.password()
            for folder in (self.conf_dir, self.data_dir, self.logs_dir,
                           self.home / "import", self.home / "plugins"):
                folder.mkdir(parents=True, exist_ok=True)
            self._write_conf()
            if not initialised:
                self._set_initial_password(java, lib, password)
            pid = self._launch(java, major, lib)
            self._wait_ready(pid, timeout_s, launched=True)
        status = self.status()
        log.info("Neo4j %s running, pid %s, %s", self.config.version, pid, self.config.bolt_uri)
        return status

    def stop(self, timeout_s: float = 60) -> Neo4jServerStatus:
        """Stop the server: SIGTERM, wait up to `timeout_s`, then SIGKILL. Idempotent."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.run_dir / "govkg.lock"):
            pid = self._live_pid()
            if pid is not None:
                _signal(pid, signal.SIGTERM)
                clean = self._wait_dead(pid, timeout_s)
                if not clean:
                    log.warning("Neo4j pid %s ignored SIGTERM for %ss; killing it", pid, timeout_s)
                    _signal(pid, signal.SIGKILL)
                    if not self._wait_dead(pid, 30):
                        raise Neo4jServerError(Errors.G020, pid=pid)
                self._finish_cds(clean_exit=clean)
            self.pid_file.unlink(missing_ok=True)
        return self.status()

    def kill(self) -> None:
        """SIGKILL the server at once (no checkpoint: the next start runs recovery)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        pid = self._live_pid()
        if pid is not None:
            _signal(pid, signal.SIGKILL)
            if not self._wait_dead(pid, 30):
                raise Neo4jServerError(Errors.G020, pid=pid)
            self._finish_cds(clean_exit=False)
        self.pid_file.unlink(missing_ok=True)

    def status(self) -> Neo4jServerStatus:
        """From the pid file, the process table and a Bolt check (2 s at most)."""
        pid = self._live_pid()
        notes: list[str] = []
        recorded = _read_pid(self.pid_file)
        if recorded is not None and recorded != pid:
            notes.append(f"stale pid file ({recorded} is not a Neo4j server of this home)")
        if pid is None:
            running = False
            notes.insert(0, "not running")
        else:
            bolt_up, detail = self._bolt_check(timeout_s=2.0)
            running = bolt_up
            notes.insert(0, f"running, pid {pid}; {detail}" if bolt_up
                         else f"process {pid} alive but {detail} (starting, stopping or hung)")
        return Neo4jServerStatus(
            running=running, pid=pid, bolt_uri=self.config.bolt_uri, http_uri=self.config.http_uri,
            home=str(self.home), version=self.config.version, user=self.config.user,
            password_file=str(self.password_file), message="; ".join(notes),
        )

    # --------------------------------------------------------------- helpers

    def _write_conf(self) -> None:
        c = self.config
        h = str(self.home)
        settings: dict[str, str] = {
            "server.directories.data": f"{h}/data",
            "server.directories.logs": f"{h}/logs",
            "server.directories.run": f"{h}/run",
            "server.directories.import": f"{h}/import",
            "server.directories.plugins": f"{h}/plugins",
            "server.default_listen_address": c.host,
            "server.default_advertised_address": c.client_host.strip("[]"),
            "server.bolt.enabled": "true",
            "server.bolt.listen_address": f"{c.listen_host}:{c.bolt_port}",
            "server.bolt.advertised_address": f"{c.client_host}:{c.bolt_port}",
            "server.bolt.tls_level": "DISABLED",
            "server.http.enabled": "true",
            "server.http.listen_address": f"{c.listen_host}:{c.http_port}",
            "server.http.advertised_address": f"{c.client_host}:{c.http_port}",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "server.memory.pagecache.size": c.pagecache,
            "db.transaction.timeout": c.tx_timeout,
            "db.lock.acquisition.timeout": c.lock_timeout,
            "db.tx_log.rotation.retention_policy": "1G size",
            "dbms.usage_report.enabled": "false",
            # Netty waits 2 x 5 s of "quiet period" on shutdown by default; a dev server
            # whose databases are already closed has nothing left to drain.
            "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
        }
        settings.update(c.extra_settings)
        lines = [
            "# Generated by govkg (tools/neo4j_server.py) on every start; do not edit:",
            "# change the caller's Neo4j settings (Neo4jServerConfig.extra_settings) instead.",
            *(f"{k}={v}" for k, v in settings.items()),
        ]
        tmp = self.conf_file.with_suffix(".conf.tmp")
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(self.conf_file)

    def _admin_env(self) -> dict[str, str]:
        env = _child_env()
        env["NEO4J_HOME"] = str(self.home)
        env["NEO4J_CONF"] = str(self.conf_dir)
        return env

    def _set_initial_password(self, java: str, lib: Path, password: str) -> None:
        # Pass the password through a picocli @argument file, not on the command line
        # (visible in `ps`): `--` ends the options (a password may start with "-"), and the
        # quoted form keeps spaces, quotes, backslashes and "#" in a hand-written password.
        args_file = self.run_dir / "initial-password.args"
        args_file.unlink(missing_ok=True)
        fd = os.open(args_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        quoted = password.replace("\\", "\\\\").replace('"', '\\"')
        with os.fdopen(fd, "w") as fh:
            fh.write(f'--\n"{quoted}"\n')
        cmd = [java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", f"{lib}/*", ADMIN_TOOL,
               "dbms", "set-initial-password", f"@{args_file}"]
        try:
            done = subprocess.run(cmd, cwd=self.home, env=self._admin_env(), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise Neo4jServerError(Errors.G021, reason=exc) from exc
        finally:
            args_file.unlink(missing_ok=True)
        if done.returncode != 0:
            raise Neo4jServerError(Errors.G022, exit=done.returncode,
                                   output=_tail_text(done.stdout.decode("utf-8", "replace")))

    def _jvm_args(self, major: int) -> list[str]:
        c = self.config
        initial = c.heap_initial if _bytes(c.heap_initial) <= _bytes(c.heap) else c.heap
        args = [
            f"-Xms{initial}", f"-Xmx{c.heap}",
            "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:-OmitStackTraceInFastThrow",
            "-XX:+UnlockExperimentalVMOptions", "-XX:+TrustFinalNonStaticFields",
            "-XX:+DisableExplicitGC",
            "-Djdk.nio.maxCachedBufferSize=1024",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Djdk.tls.ephemeralDHKeySize=2048",
            "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
            "-Dlog4j2.disable.jmx=true",
            "-Dfile.encoding=UTF-8",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        ]
        if major >= 21:
            args.append("--enable-native-access=ALL-UNNAMED")
        return args

    # Class data sharing: a dynamic CDS archive of the server's classes, written by the JVM
    # when a server launched with -XX:ArchiveClassesAtExit exits normally (clean stop), and
    # mapped by later starts. The JVM itself checks that the archive matches the JDK build
    # and the class path, and runs without it (a warning in console.log) when it does not.

    @property
    def _cds_dir(self) -> Path:
        return self.jar_cache / "cds"

    @property
    def _cds_pending(self) -> Path:
        return self.run_dir / "cds-pending.json"

    def _cds_archive(self, java: str) -> Path:
        real = Path(os.path.realpath(java))
        release = real.parent.parent / "release"
        marker = self.jar_cache / _MARKER
        key = "\n".join([
            str(real),
            release.read_text(errors="replace") if release.is_file() else "",
            marker.read_text(errors="replace") if marker.is_file() else "",
            str(marker.stat().st_mtime_ns) if marker.is_file() else "",
        ])
        return self._cds_dir / f"server-{hashlib.sha256(key.encode()).hexdigest()[:16]}.jsa"

    def _cds_args(self, java: str) -> list[str]:
        if not self.config.class_data_sharing:
            return []
        archive = self._cds_archive(java)
        if archive.is_file():
            return ["-Xshare:auto", f"-XX:SharedArchiveFile={archive}"]
        self._cds_dir.mkdir(parents=True, exist_ok=True)
        tmp = archive.with_name(f"{archive.stem}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        self._cds_pending.write_text(json.dumps({"tmp": str(tmp), "final": str(archive)}) + "\n")
        return ["-Xshare:auto", f"-XX:ArchiveClassesAtExit={tmp}"]

    def _finish_cds(self, clean_exit: bool) -> None:
        """After the server exited: keep the archive it dumped (clean exit) or drop it."""
        try:
            pending = json.loads(self._cds_pending.read_text())
            tmp, final = Path(pending["tmp"]), Path(pending["final"])
        except (OSError, ValueError, KeyError, TypeError):
            self._cds_pending.unlink(missing_ok=True)
            return
        try:
            if clean_exit and tmp.is_file() and tmp.stat().st_size > 0:
                tmp.replace(final)
                for old in self._cds_dir.glob("server-*.jsa"):
                    if old != final:
                        old.unlink(missing_ok=True)
                log.info("class-data-sharing archive written: %s", final)
            else:
                tmp.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not keep the class-data-sharing archive %s: %s", tmp, exc)
        finally:
            self._cds_pending.unlink(missing_ok=True)

    def _launch(self, java: str, major: int, lib: Path) -> int:
        cmd = [java, *self._jvm_args(major), *self._cds_args(java), "-cp", f"{lib}/*", ENTRY_POINT,
               f"--home-dir={self.home}", f"--config-dir={self.conf_dir}"]
        with open(self.console_log, "ab") as out:
            out.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} govkg starting Neo4j "
                      f"{self.config.version} with {java} ====\n".encode())
            out.flush()
            try:
                self._proc = subprocess.Popen(
                    cmd, cwd=self.home, env=self._admin_env(), stdin=subprocess.DEVNULL,
                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True,
                )
            except OSError as exc:
                raise Neo4jServerError(Errors.G023, java=java, reason=exc) from exc
        tmp = self.pid_file.with_suffix(".pid.tmp")
        tmp.write_text(f"{self._proc.pid}\n")
        tmp.replace(self.pid_file)
        return self._proc.pid

    def _wait_ready(self, pid: int, timeout_s: float, launched: bool) -> None:
        deadline = time.monotonic() + timeout_s
        detail = "not tried yet"
        while True:
            if not self._alive(pid):
                code = self._proc.returncode if self._proc is not None and self._proc.pid == pid else None
                self.pid_file.unlink(missing_ok=True)
                self._finish_cds(clean_exit=False)
                raise Neo4jServerError(Errors.G024, pid=pid, exit=f" with code {code}" if code is not None else "",
                                       log=self._log_tail())
            ok, detail, fatal = self._bolt_probe(timeout_s=3.0)
            if ok:
                return
            if fatal:
                if launched:  # do not leave a server behind that we cannot use
                    self._terminate(pid)
                raise Neo4jServerError(Errors.G025, pid=pid, detail=detail,
                                       stopped="; it was stopped again" if launched else "")
            if time.monotonic() >= deadline:
                break
            time.sleep(0.25)
        if launched:
            self._terminate(pid, grace_s=0)
        raise Neo4jServerError(Errors.G026, pid=pid, uri=self.config.bolt_uri, limit=timeout_s, detail=detail,
                               killed="; the process was killed" if launched else "", log=self._log_tail())

    def _driver(self, password: str, timeout_s: float):
        import neo4j

        return neo4j.GraphDatabase.driver(
            self.config.bolt_uri, auth=(self.config.user, password),
            connection_timeout=timeout_s, connection_acquisition_timeout=timeout_s,
            max_connection_pool_size=1, user_agent="govkg-neo4j-server-manager",
        )

    def _bolt_probe(self, timeout_s: float) -> tuple[bool, str, bool]:
        """(ready, detail, fatal): an authenticated session that answers `RETURN 1`."""
        from neo4j import exceptions as nex

        password = self._read_password()
        if password is None:
            return False, f"no password file {self.password_file}", True
        try:
            with self._driver(password, timeout_s) as driver:
                driver.verify_connectivity()
                driver.execute_query("RETURN 1")
        except nex.AuthError:
            return False, (
                f"refuses the password in {self.password_file} for user {self.config.user!r}: "
                f"the store in {self.data_dir} was initialised with another password "
                "(restore the password file, or stop the server and delete data/ to start afresh)"
            ), True
        except (nex.DriverError, nex.Neo4jError, OSError) as exc:
            return False, f"Bolt not answering yet: {type(exc).__name__}: {exc}".splitlines()[0], False
        return True, "Bolt answers", False

    def _bolt_check(self, timeout_s: float) -> tuple[bool, str]:
        ok, detail, fatal = self._bolt_probe(timeout_s)
        if ok:
            return True, f"Bolt answers on {self.config.bolt_uri}"
        if fatal and "refuses the password" in detail:
            return True, f"Bolt answers on {self.config.bolt_uri} but {detail}"
        return False, detail

    def _check_ports(self) -> None:
        for name, port in (("Bolt", self.config.bolt_port), ("HTTP", self.config.http_port)):
            problem = _port_problem(self.config.host, port)
            if problem:
                raise Neo4jServerError(Errors.G027, name=name, port=port, host=self.config.host, problem=problem,
                                       home=self.home)

    def _live_pid(self) -> int | None:
        """Pid of a live server process of this home: the pid file, else the process table."""
        pid = _read_pid(self.pid_file)
        if pid is not None and self._alive(pid) and self._is_our_server(pid):
            return pid
        for other in _scan_processes(self.home):
            if self._alive(other):
                return other
        return None

    def _is_our_server(self, pid: int) -> bool:
        args = _cmdline_args(pid)
        if args is None:  # cannot tell (no /proc, no ps): trust the pid file
            return True
        return ENTRY_POINT in args and f"--home-dir={self.home}" in args

    def _alive(self, pid: int) -> bool:
        if self._proc is not None and self._proc.pid == pid:
            return self._proc.poll() is None
        with contextlib.suppress(ChildProcessError, OSError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own exited child: reap it
                return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not _is_zombie(pid)

    def _terminate(self, pid: int, grace_s: float = 30) -> None:
        """Stop a server this call launched and gave up on (SIGTERM, then SIGKILL)."""
        with contextlib.suppress(Neo4jServerError):
            clean = False
            if grace_s > 0:
                _signal(pid, signal.SIGTERM)
                clean = self._wait_dead(pid, grace_s)
            if not clean:
                _signal(pid, signal.SIGKILL)
                self._wait_dead(pid, 30)
            self._finish_cds(clean_exit=clean)
        self.pid_file.unlink(missing_ok=True)

    def _wait_dead(self, pid: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while self._alive(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    def _log_tail(self) -> str:
        parts = []
        for path in (self.console_log, self.logs_dir / "neo4j.log"):
            try:
                text = path.read_text(errors="replace")
            except OSError:
                continue
            if text.strip():
                parts.append(f"--- {path} (last lines) ---\n{_tail_text(text)}")
        return "\n".join(parts) or f"(no log output in {self.logs_dir})"


# ---------------------------------------------------------------- functions


def _supported_java(version: str) -> tuple[int, ...]:
    major = int(version.split(".", 1)[0])
    return (21, 17) if major <= 5 else (21,)


def java_major_version(java: str) -> int | None:
    """Major version of a java executable (8, 11, 17, 21, 25, ...), None if it does not run."""
    try:
        done = subprocess.run([java, "-version"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', done.stdout.decode("utf-8", "replace"))
    if done.returncode != 0 or not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _jdk_candidates() -> Iterator[str]:
    for root in JVM_ROOTS:
        if not root.is_dir():
            continue
        for jdk in sorted(root.iterdir()):
            for exe in (jdk / "bin" / "java", jdk / "Contents" / "Home" / "bin" / "java"):
                if exe.is_file() and os.access(exe, os.X_OK):
                    yield str(exe)


def _select_java(configured: str | None, supported: tuple[int, ...]) -> tuple[str, int]:
    wanted = " or ".join(str(v) for v in sorted(supported))
    tried: list[str] = []
    if configured:
        exe = shutil.which(configured) or (configured if os.access(configured, os.X_OK) else None)
        if exe is None:
            raise Neo4jServerError(Errors.G028, path=configured)
        default: str | None = exe
    else:
        default = shutil.which("java")
        if default is None:
            tried.append("no `java` on PATH")
    if default is not None:
        major = java_major_version(default)
        if major in supported:
            return default, major
        tried.append(f"{default} is Java {major if major is not None else '(unrunnable)'}")
    seen: set[str] = {os.path.realpath(default)} if default else set()
    found: list[tuple[int, str]] = []
    for exe in _jdk_candidates():
        real = os.path.realpath(exe)
        if real in seen:
            continue
        seen.add(real)
        major = java_major_version(exe)
        if major in supported:
            found.append((supported.index(major), exe))
        else:
            tried.append(f"{exe} is Java {major}")
    if found:
        _, exe = min(found)
        major = java_major_version(exe)
        assert major is not None
        log.warning("Neo4j needs Java %s; using %s (Java %s) because %s", wanted, exe, major, tried[0])
        return exe, major
    raise Neo4jServerError(Errors.G029, wanted=wanted, tried="; ".join(tried) or "no JDK found")


def _child_env() -> dict[str, str]:
    """The caller's environment for child processes, minus anything that would redirect Neo4j."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("NEO4J_") and k not in ("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS")}


def _port_problem(host: str, port: int) -> str | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # Like Neo4j's own listeners: ignore TIME_WAIT leftovers of an earlier server.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "already in use"
            if exc.errno in (errno.EACCES, errno.EPERM):
                return "not allowed to be bound (privileged port?) and cannot be used"
            if exc.errno == errno.EADDRNOTAVAIL:
                return "not an address of this machine and cannot be used"
            return f"not bindable ({exc}) and cannot be used"
    return None


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() and int(text) > 0 else None


def _cmdline_args(pid: int) -> list[str] | None:
    """The process's arguments; None when this system cannot tell."""
    if Path("/proc/self").exists():
        try:
            raw = (Path("/proc") / str(pid) / "cmdline").read_bytes()
        except OSError:
            return []
        return raw.decode("utf-8", "replace").split("\0")
    try:  # macOS and other systems without /proc (arguments with spaces split wrongly)
        done = subprocess.run(["ps", "-ww", "-o", "command=", "-p", str(pid)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", "replace").split()


def _is_zombie(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X")


def _scan_processes(home: Path) -> list[int]:
    """Servers of `home` that lost their pid file (Linux only; elsewhere none are found)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    needle = f"--home-dir={home}".encode()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if ENTRY_POINT.encode() in args and needle in args:
            found.append(int(entry.name))
    return found


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
    except PermissionError as exc:
        raise Neo4jServerError(Errors.G030, pid=pid, reason=exc) from exc


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _bytes(size: str) -> int:
    unit = size[-1].lower()
    factor = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(unit, 1)
    return int(size[:-1] if unit in "kmg" else size) * factor


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _tail_text(text: str, lines: int = _LOG_TAIL_LINES) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


__all__ = [
    "NEO4J_VERSION",
    "Neo4jServer",
    "Neo4jServerConfig",
    "Neo4jServerError",
    "Neo4jServerStatus",
    "default_jar_cache",
    "java_major_version",
]

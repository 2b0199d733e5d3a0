"""Figures of a load run and the result files (Markdown in French, and JSON)."""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
from pathlib import Path

from bench.pages import BARE, FLOOR

P95_TARGET_MS = 100
#: A key page's p50 may cost at most this many times the floor page's, in the same run.
RATIO_TARGET = 6
#: The floor page may cost at most this many times a bare Django view with a session.
FLOOR_TARGET = 2
IMPORT_TARGET_ROWS_S = 20_000
GENERATION_TARGET_S = 180


def clean_paths(text: str) -> str:
    """Profiles name files relative to the project, the libraries and Python, not to this
    machine's folders."""
    import site
    import sysconfig

    root = str(Path(__file__).resolve().parent.parent) + "/"
    prefixes = [(p + "/", "") for p in site.getsitepackages() if p]
    prefixes.append((root, ""))
    stdlib = sysconfig.get_paths().get("stdlib")
    if stdlib:
        prefixes.append((stdlib + "/", "python/"))
    for prefix, replacement in sorted(prefixes, key=lambda x: -len(x[0])):
        text = text.replace(prefix, replacement)
    return text


def sql_summary(sql: str, limit: int = 500) -> str:
    """A long SELECT without its column list: what is read, joined and filtered."""
    if sql.lstrip().upper().startswith("SELECT"):
        depth, i = 0, 0
        while i < len(sql):
            c = sql[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif depth == 0 and sql.startswith(" FROM ", i):
                sql = "SELECT … " + sql[i + 1 :]
                break
            i += 1
    return sql if len(sql) <= limit else sql[:limit] + " …"


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarise(samples: dict, elapsed: float) -> dict:
    values = sorted(samples.get("latencies_ms", []))
    n = len(values)
    return {
        "requests": n,
        "rps": round(n / elapsed, 1) if elapsed else None,
        "p50_ms": _r(percentile(values, 50)),
        "p95_ms": _r(percentile(values, 95)),
        "p99_ms": _r(percentile(values, 99)),
        "max_ms": _r(values[-1] if values else None),
        "mean_ms": _r(sum(values) / n if n else None),
        "errors": samples.get("errors", 0),
        "statuses": samples.get("statuses", {}),
        "error_samples": samples.get("error_samples", []),
        "avg_bytes": round(samples.get("bytes", 0) / n) if n else 0,
    }


def _r(x):
    return None if x is None else round(x, 1)


def build(*, load: dict, plan: dict, compare_plan: dict | None, context: dict) -> dict:
    """The result document: one row per page, the mixed phase, queries on both datasets."""
    compare = {p["name"]: p for p in (compare_plan or {}).get("pages", [])}
    rows = []
    for page in plan["pages"]:
        phase = load["per_page"].get(page["name"])
        stats = summarise(phase["pages"].get(page["name"], {}), phase["elapsed"]) if phase else {}
        other = compare.get(page["name"])
        rows.append(
            {
                "name": page["name"],
                "label": page["label"],
                "key": page["key"],
                "anonymous": page["anonymous"],
                "note": page.get("note", ""),
                "example_url": page["example_url"],
                "queries": page["queries"],
                "queries_small": other["queries"] if other else None,
                "probe_status": page["status"],
                "loadavg": phase.get("loadavg") if phase else None,
                **stats,
            }
        )
    floor = next((r for r in rows if r["name"] == FLOOR), None)
    floor_p50 = floor["p50_ms"] if floor else None
    bare = next((r for r in rows if r["name"] == BARE), None)
    bare_p50 = bare.get("p50_ms") if bare else None
    for row in rows:
        # Against the floor measured just before the page when the run sampled it there
        # (bench.load --floor-sample), else the run's floor.
        phase = load["per_page"].get(row["name"]) or {}
        reference = phase.get("floor_p50_ms") or floor_p50
        row["floor_ref_ms"] = reference if row["name"] != FLOOR else floor_p50
        row["ratio_p50"] = (
            round(row["p50_ms"] / reference, 1) if reference and row.get("p50_ms") else None
        )
        row["meets_ratio"] = row["ratio_p50"] is not None and row["ratio_p50"] <= RATIO_TARGET
        row["meets_target"] = (
            row.get("p95_ms") is not None
            and row["p95_ms"] <= P95_TARGET_MS
            and row.get("errors", 1) == 0
        )
    mixed = None
    if load.get("mixed"):
        m = load["mixed"]
        per = {name: summarise(s, m["elapsed"]) for name, s in m["pages"].items()}
        everything = {
            "latencies_ms": [x for s in m["pages"].values() for x in s["latencies_ms"]],
            "errors": sum(s["errors"] for s in m["pages"].values()),
        }
        mixed = {"all": summarise(everything, m["elapsed"]), "pages": per, "loadavg": m["loadavg"]}
    queries_constant = all(
        r["queries_small"] is None or r["queries"] <= r["queries_small"] for r in rows
    )
    key_rows = [r for r in rows if r["key"]]
    doc = {
        **context,
        "floor_p50_ms": floor_p50,
        "bare_p50_ms": bare_p50,
        "floor_to_bare": round(floor_p50 / bare_p50, 1) if floor_p50 and bare_p50 else None,
        "pages": rows,
        "mixed": mixed,
        "absent": plan.get("absent", []),
        "queries_constant": queries_constant,
        "summary": {
            "key_pages": len(key_rows),
            "key_pages_meeting_p95": sum(1 for r in key_rows if r["meets_target"]),
            "key_pages_meeting_ratio": sum(
                1 for r in key_rows if r["meets_ratio"] or r["name"] == FLOOR
            ),
            "errors": sum(r.get("errors", 0) for r in rows)
            + (mixed["all"]["errors"] if mixed else 0),
            "missed": [r["name"] for r in key_rows if not r["meets_target"]],
        },
    }
    return doc


def machine() -> dict:
    info = {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
            info["memory_gb"] = round(kb / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        import django
        import gunicorn

        info["django"] = django.get_version()
        info["gunicorn"] = gunicorn.__version__
    except ImportError:
        pass
    return info


def revision(root: Path) -> dict:
    def git(*args):
        try:
            return subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain")),
    }


# --- Markdown ----------------------------------------------------------------------------


def _ms(x) -> str:
    return "—" if x is None else f"{x:.0f}" if x >= 10 else f"{x:.1f}"


def thousands(x: int) -> str:
    return f"{x:,}".replace(",", "\u202f")


def _n(x) -> str:
    return "—" if x is None else thousands(x)


def _kb(x) -> str:
    return "—" if not x else f"{x / 1024:.0f}" if x >= 10240 else f"{x / 1024:.1f}"


def _yes(ok: bool) -> str:
    return "oui" if ok else "**non**"


def previous_run(out_dir: Path, date: str) -> dict | None:
    """The latest committed result file before ``date`` (for the comparison columns)."""
    # By name without the extension: "2026-12-06.json" sorts after "2026-12-06-soir.json"
    # as a file name, but the run "2026-12-06" came before "2026-12-06-soir".
    files = sorted((p for p in out_dir.glob("*.json") if p.stem < date), key=lambda p: p.stem)
    if not files:
        return None
    try:
        old = json.loads(files[-1].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {
        "date": old.get("date", files[-1].stem),
        "scale": (old.get("dataset") or {}).get("scale", {}).get("name"),
        "pages": {
            r["name"]: {"p50_ms": r.get("p50_ms"), "p95_ms": r.get("p95_ms")}
            for r in old.get("pages", [])
        },
    }


def _delta(now, before) -> str:
    """ "120 (−15 %)": the previous figure and the change, for review."""
    if before is None:
        return "—"
    if not now or not before:
        return _ms(before)
    change = (now - before) / before
    sign = "+" if change > 0 else "−"
    return f"{_ms(before)} ({sign}{abs(change):.0%})"


def markdown(doc: dict) -> str:
    s = doc["settings"]
    m = doc["machine"]
    d = doc["dataset"]
    out = []
    w = out.append
    w(f"# Banc d'essai du {doc['date']}")
    w("")
    w(
        f"Jeu de données « {d['scale']['name']} », {s['users']} utilisateurs simultanés, "
        f"{s['duration']:g} s de charge par page puis {s['mixed']:g} s de charge mixte ; gunicorn "
        f"({s['workers']} workers synchrones, réglages de production, `DEBUG` désactivé) sur "
        f"{m['cores']} cœurs. Révision `{doc['revision']['commit'] or '?'}`"
        + (" avec des modifications non commitées." if doc["revision"]["dirty"] else ".")
    )
    w("")
    for note in doc.get("notes", []):
        w(f"> {note}")
        w("")
    w("## Pages")
    w("")
    w(
        "Temps de réponse en millisecondes, mesurés par le client de charge (réseau local "
        "compris). Ratio : p50 de la page / p50 du plancher mesuré dans le même passage — "
        "juste avant la page quand le passage le rééchantillonne (colonne « plancher »). "
        "SQL : requêtes d'un appel de la page sur le grand jeu de données, puis sur le petit "
        "(même rôle, même page). Ko : taille moyenne du HTML."
    )
    w("")
    prev = doc.get("previous")
    if prev:
        w("")
        w(
            f"Colonnes « préc. » : le passage précédent ({prev['date']}, jeu « {prev['scale']} »), "
            "et l'écart en pourcentage — une régression se voit ici."
        )
    w("")
    w(
        f"| Page | p50 | p95 | p99 | p50 préc. | p95 préc. | req/s | erreurs | SQL (grand / petit jeu) | Ko | plancher | ratio p50 (≤ {RATIO_TARGET}) | cible p95 ≤ 100 ms |"
    )
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in doc["pages"]:
        label = r["label"] + ("" if r["key"] else " *(information)*")
        target = _yes(r["meets_target"]) if r["key"] else "—"
        sql = f"{r['queries']} / {r['queries_small'] if r['queries_small'] is not None else '—'}"
        before = (prev or {}).get("pages", {}).get(r["name"], {})
        ratio = r["ratio_p50"] if r["ratio_p50"] is not None else "—"
        if r["key"] and r["ratio_p50"] is not None and not r.get("meets_ratio", True):
            ratio = f"**{ratio}**"
        w(
            f"| {label} | {_ms(r.get('p50_ms'))} | {_ms(r.get('p95_ms'))} | {_ms(r.get('p99_ms'))} "
            f"| {_delta(r.get('p50_ms'), before.get('p50_ms'))} "
            f"| {_delta(r.get('p95_ms'), before.get('p95_ms'))} "
            f"| {r.get('rps') or '—'} | {r.get('errors', '—')} | {sql} | {_kb(r.get('avg_bytes'))} | "
            f"{_ms(r.get('floor_ref_ms'))} | {ratio} | {target} |"
        )
    w("")
    w("URL mesurées (premier utilisateur simulé) :")
    w("")
    for r in doc["pages"]:
        w(f"- `{r['name']}` : `{r['example_url']}`" + (f" — {r['note']}" if r["note"] else ""))
    if doc["absent"]:
        w("")
        w("Pages pas encore construites (absentes de ce passage) :")
        w("")
        for a in doc["absent"]:
            w(f"- `{a['name']}` ({a['label']}) : {a['reason']}")
    if doc.get("mixed"):
        mixed = doc["mixed"]
        a = mixed["all"]
        w("")
        w("## Charge mixte")
        w("")
        w(
            f"Toutes les pages ensemble, au prorata de leur poids : {_n(a['requests'])} requêtes, "
            f"{a['rps']} req/s, p50 {_ms(a['p50_ms'])} ms, p95 {_ms(a['p95_ms'])} ms, "
            f"p99 {_ms(a['p99_ms'])} ms, {a['errors']} erreur(s)."
        )
        w("")
        w("| Page | requêtes | p50 | p95 | p99 | erreurs |")
        w("|---|---:|---:|---:|---:|---:|")
        for name, p in sorted(mixed["pages"].items()):
            w(
                f"| `{name}` | {_n(p['requests'])} | {_ms(p['p50_ms'])} | {_ms(p['p95_ms'])} "
                f"| {_ms(p['p99_ms'])} | {p['errors']} |"
            )
    w("")
    w("## Requêtes SQL par page")
    w("")
    small = doc.get("small_dataset")
    if small:
        w(
            "Le nombre de requêtes d'une page ne dépend pas de la taille des données : "
            + _yes(doc["queries_constant"])
            + f" (grand jeu : {_n(d['rows'].get('organization_member'))} adhérents ; petit jeu : "
            f"{_n(small['rows'].get('organization_member'))} adhérents ; même page, même rôle)."
        )
    else:
        w("Pas de comparaison avec un petit jeu de données dans ce passage.")
    w("")
    w("## Jeu de données")
    w("")
    gen_ok = d["seconds"]["total"] <= GENERATION_TARGET_S
    w(
        f"Généré en {d['seconds']['total']:.0f} s (cible ≤ {GENERATION_TARGET_S} s : {_yes(gen_ok)}) "
        f"— migrations {d['seconds']['migrations']:.0f} s, COPY {d['seconds']['load']:.0f} s, "
        f"VACUUM ANALYZE {d['seconds']['vacuum_analyze']:.0f} s ; base de {d['database_size']}. "
        f"Graine {d['seed']}."
        + (" Jeu de données réutilisé (`--skip-generate`)." if d.get("reused") else "")
    )
    w("")
    w("| Table | lignes |")
    w("|---|---:|")
    for table, n in sorted(d["rows"].items()):
        w(f"| `{table}` | {_n(n)} |")
    for app, reason in d.get("skipped", {}).items():
        w("")
        w(f"Données « {app} » non générées : {reason}.")
    imp = doc.get("import")
    if imp:
        w("")
        w("## Import d'adhérents")
        w("")
        w(
            "Fichier CSV passé par `fede.organization.imports.import_members` (validation de "
            "chaque ligne, puis écriture par lots), dans un processus à part sur une copie de "
            "la base. Mémoire : taille résidente du processus, échantillonnée toutes les 20 ms."
        )
        w("")
        w(
            "| Lignes | étape | durée (s) | lignes/s | créées | mises à jour | mémoire au départ (Mo) | pic (Mo) | hausse (Mo) |"
        )
        w("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for rows, res in sorted(imp["runs"].items(), key=lambda kv: int(kv[0])):
            for step, label in (("dry_run", "vérification seule"), ("import", "import complet")):
                x = res[step]
                w(
                    f"| {_n(int(rows))} | {label} | {x['seconds']} | {_n(x['rows_per_s'])} | "
                    f"{_n(x['created'])} | {_n(x['updated'])} | {x['rss_start_mb']} | "
                    f"{x['rss_peak_mb']} | {x['rss_growth_mb']} |"
                )
        w("")
        w(
            f"Cible ≥ {_n(IMPORT_TARGET_ROWS_S)} lignes/s : {_yes(imp['meets_rate'])} ; mémoire "
            f"stable quand le fichier grandit : {_yes(imp['memory_flat'])} "
            f"({imp['memory_note']})."
        )
        if imp.get("profile"):
            w("")
            w(
                f"<details><summary>cProfile d'un import de {thousands(imp['profile']['rows'])} "
                "lignes</summary>"
            )
            w("")
            w("```")
            w(clean_paths("\n".join(imp["profile"]["cprofile"].strip().splitlines()[:80])))
            w("```")
            w("")
            w("</details>")
    votes = doc.get("ballots")
    if votes:
        c, k = votes["casting"], votes["consolidation"]
        w("")
        w("## Votes internes")
        w("")
        w(
            f"Vote en ligne ouvert à {_n(c['eligible'])} inscrit·es : {_n(c['voters'])} votant·es "
            f"déposent chacun·e un bulletin par `fede.ballots.services.vote_cast` (code à usage "
            f"unique vérifié, émargement et bulletin dans une même transaction), depuis "
            f"{c['threads']} fils ayant chacun leur connexion à PostgreSQL ; puis chacun·e "
            "réessaie, ce qui doit être refusé. Le registre, l'urne et les codes de ce tour "
            "sont vidés ensuite."
        )
        w("")
        w(
            "| bulletins | durée (s) | bulletins/s | latence p50 (ms) | p95 (ms) | émargements | urne | second vote refusé | cohérent |"
        )
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        w(
            f"| {_n(c['ballots'])} | {c['seconds']} | {_n(c['ballots_per_s'])} | "
            f"{c['latency_ms_p50']} | {c['latency_ms_p95']} | {_n(c['register_rows'])} | "
            f"{_n(c['box_rows'])} | {c['second_ballots_refused']} | {_yes(c['consistent'])} |"
        )
        w("")
        w(
            f"Consolidation des résultats d'un tour voté dans les sections "
            f"(`fede.ballots.selectors.round_results`) : {_n(k['pvs'])} procès-verbaux dont "
            f"{_n(k['validated'])} validés, {k['ms_median']} ms (médiane de 5, max "
            f"{k['ms_max']} ms)."
        )
    w("")
    w("## Cibles")
    w("")
    sm = doc["summary"]
    w(
        f"- p95 ≤ {P95_TARGET_MS} ms et zéro erreur sur chaque page clé : "
        f"{sm['key_pages_meeting_p95']}/{sm['key_pages']}"
        + (f" (manquée : {', '.join('`' + x + '`' for x in sm['missed'])})" if sm["missed"] else "")
        + "."
    )
    if doc.get("floor_to_bare"):
        w(
            f"- Plancher ≤ {FLOOR_TARGET} × une vue Django nue avec session : "
            f"{_yes(doc['floor_to_bare'] <= FLOOR_TARGET)} ({_ms(doc['floor_p50_ms'])} ms contre "
            f"{_ms(doc['bare_p50_ms'])} ms au p50, soit {doc['floor_to_bare']} ×)."
        )
    if "key_pages_meeting_ratio" in sm:
        w(
            f"- p50 ≤ {RATIO_TARGET} × le plancher sur chaque page clé : "
            f"{sm['key_pages_meeting_ratio']}/{sm['key_pages']}."
        )
    w(f"- Erreurs sur tout le passage : {sm['errors']}.")
    w(f"- Requêtes SQL constantes quand les données grandissent : {_yes(doc['queries_constant'])}.")
    w(f"- Génération du jeu national ≤ 10 min : {_yes(gen_ok)}.")
    if imp:
        w(
            f"- Import ≥ 20 000 lignes/s : {_yes(imp['meets_rate'])} ; mémoire stable : {_yes(imp['memory_flat'])}."
        )
    if votes:
        w(
            f"- Vote en ligne ≥ {_n(votes['casting']['target'])} bulletins/s, un seul par "
            f"votant·e : {_yes(votes['casting']['meets_target'])}."
        )
    if doc.get("profiles"):
        w("")
        w("## Profils des pages hors cible")
        w("")
        w(
            "Une requête de la page, hors charge, au travers du client de test de Django : "
            "durée totale, temps SQL, requêtes les plus lentes, plan de la plus lente, et "
            "fonctions Python les plus coûteuses (cProfile, temps cumulé)."
        )
        for name, prof in doc["profiles"].items():
            w("")
            w(f"### `{name}`")
            w("")
            w(
                f"`{prof['url']}` : {prof['ms']} ms dont {prof['sql_ms']} ms de SQL "
                f"({prof['queries']} requêtes)."
            )
            if prof.get("analysis"):
                w("")
                w(prof["analysis"])
            w("")
            w("Requêtes les plus lentes :")
            w("")
            for q in prof["slowest_sql"][:3]:
                w(f"- {q['ms']} ms : `{sql_summary(q['sql'])}`")
            if prof.get("explain"):
                w("")
                w("<details><summary>Plan de la requête la plus lente</summary>")
                w("")
                w("```")
                w(prof["explain"][:6000])
                w("```")
                w("")
                w("</details>")
            w("")
            w("<details><summary>cProfile</summary>")
            w("")
            w("```")
            w(clean_paths("\n".join(prof["cprofile"].strip().splitlines()[:60])))
            w("```")
            w("")
            w("</details>")
    w("")
    w("## Machine")
    w("")
    w(
        f"{m.get('cpu')}, {m['cores']} cœurs, {m.get('memory_gb', '?')} Go ; {m['system']} ; "
        f"Python {m['python']}, Django {m.get('django')}, gunicorn {m.get('gunicorn')}, "
        f"PostgreSQL {doc.get('postgresql')}."
    )
    cpu = doc.get("cpu_during_load")
    if cpu:
        w("")
        w(
            f"Pendant la charge ({cpu['seconds']:.0f} s) : le banc d'essai (gunicorn, client, "
            f"PostgreSQL pour sa base) a occupé {cpu['benchmark_share']:.0%} des cœurs, les autres "
            f"processus {cpu['others_share']:.0%}."
        )
    w("")
    return "\n".join(out)


def _clean(value):
    if isinstance(value, str):
        return clean_paths(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def write(doc: dict, out_dir: Path) -> tuple[Path, Path]:
    doc = _clean(doc)
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / f"{doc['date']}.md"
    js = out_dir / f"{doc['date']}.json"
    js.write_text(
        json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )
    md.write_text(markdown(doc), encoding="utf-8")
    return md, js

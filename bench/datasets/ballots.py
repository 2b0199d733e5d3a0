"""Internal votes at national scale.

Two ballots of the national federation, each with its frozen electoral roll of every
active member (about 400,000 at national scale):

- the congress election, counted in the sections: its first round is closed and every
  section's procès-verbal is in (8,000 PVs at national scale, nine in ten validated, the
  rest at the other steps), so the results page consolidates all of them;
- a motion vote held online, its round open now, its register and ballot box empty: the
  casting benchmark (``bench.ballotbench``) fills them and empties them again.
"""

from __future__ import annotations

import datetime
import zoneinfo

from bench.pages import Page, url

APP = "ballots"

CANDIDATES = ("Camille Roussel", "Karim Benali", "Sophie Laurent")
MOTIONS = (
    "Motion A — Une fédération de terrain",
    "Motion B — Reconquérir les arrondissements",
    "Motion C — Pour une fédération ouverte",
)


def generate(conn, ctx):
    try:
        from fede.ballots.models import (
            Ballot,
            Option,
            Round,
            RoundTally,
            SectionResult,
            SectionResultLine,
        )
    except ImportError:
        ctx.skip("l'application des votes n'a pas encore ces modèles")
    org = ctx.shared.get("organization")
    if org is None:
        ctx.skip("pas d'organisation générée")

    rng = ctx.rng(APP)
    tz = zoneinfo.ZoneInfo("Europe/Paris")
    today = ctx.today
    org_targets = ctx.targets.get("organization", {})
    national_id = org_targets.get("national_id", 1)
    sections = org["sections"]
    user_of = org["user_of"]
    secretary = org["section_secretary"]

    def at(offset: int, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(
            today + datetime.timedelta(days=offset), datetime.time(hour), tz
        )

    cutoff = today - datetime.timedelta(days=40)
    ctx.copy(
        Ballot,
        [
            "id",
            "federation_id",
            "title",
            "description",
            "kind",
            "mode",
            "majority",
            "runoff_size",
            "eligibility_date",
            "joined_before",
            "opens_at",
            "closes_at",
            "status",
            "roll_frozen_at",
            "created_at",
        ],
        [
            (
                1,
                national_id,
                "Élection du premier secrétaire",
                "Vote dans les sections, dépouillement et procès-verbal.",
                "election",
                "section",
                "absolute",
                2,
                cutoff,
                cutoff,
                at(-3, 9),
                at(-3, 22),
                "running",
                at(-30, 12),
                at(-45, 12),
            ),
            (
                2,
                national_id,
                "Orientation du congrès : vote sur les motions",
                "Vote en ligne, à bulletin secret.",
                "motions",
                "online",
                "relative",
                2,
                cutoff,
                cutoff,
                at(-2, 9),
                at(5, 22),
                "running",
                at(-30, 12),
                at(-45, 12),
            ),
        ],
    )
    options = [(i + 1, 1, label, i) for i, label in enumerate(CANDIDATES)]
    options += [(i + 4, 2, label, i) for i, label in enumerate(MOTIONS)]
    ctx.copy(Option, ["id", "ballot_id", "label", "order"], options)
    ctx.copy(
        Round,
        ["id", "ballot_id", "number", "status", "opens_at", "closes_at", "closed_at"],
        [
            (1, 1, 1, "closed", at(-3, 9), at(-3, 22), at(-3, 22)),
            (2, 2, 1, "open", at(-2, 9), at(5, 22), None),
        ],
    )
    ctx.copy(
        Round.options.through,
        ["id", "round_id", "option_id"],
        [(i, 1 if i <= 3 else 2, i) for i in range(1, 7)],
    )

    # The frozen rolls: every active member of a section, in their section (SQL, no
    # round trip through Python for 400,000 rows per ballot).
    start = datetime.datetime.now()
    for ballot_id in (1, 2):
        cur = conn.execute(
            "INSERT INTO ballots_rollentry (ballot_id, member_id, section_id, "
            "added_by_correction, reason) "
            "SELECT %s, m.id, m.section_id, false, '' FROM organization_member m "
            "WHERE m.status = 'active' AND m.joined_on < %s ORDER BY m.id",
            [ballot_id, cutoff],
        )
        ctx.counts["ballots_rollentry"] = ctx.counts.get("ballots_rollentry", 0) + cur.rowcount
    roll = dict(
        conn.execute(
            "SELECT section_id, count(*) FROM ballots_rollentry WHERE ballot_id = 1 "
            "GROUP BY section_id"
        ).fetchall()
    )
    ctx.log(
        f"  ballots_rollentry: {ctx.counts['ballots_rollentry']:,} lignes en "
        f"{(datetime.datetime.now() - start).total_seconds():.1f} s"
    )

    # One PV per section for the closed round: nine in ten validated.
    statuses = ["validated"] * 18 + ["countersigned", "entered"]
    pvs, lines = [], []
    line_id = 0
    created = at(-3, 23)
    for si, s in enumerate(sections):
        registered = roll.get(s[0], 0)
        voters = int(registered * rng.uniform(0.35, 0.75))
        void = int(voters * rng.uniform(0, 0.02))
        blank = int(voters * rng.uniform(0, 0.04))
        expressed = voters - void - blank
        shares = [rng.uniform(0.6, 1.4) * w for w in (0.42, 0.35, 0.23)]
        total = sum(shares)
        votes = [int(expressed * x / total) for x in shares]
        votes[0] += expressed - sum(votes)
        status = rng.choice(statuses)
        entered_by = user_of.get(secretary.get(si)) if secretary.get(si) else None
        pvs.append(
            (si + 1, 1, s[0], status, registered, voters, blank, void, "", entered_by, created)
        )
        for oi, n in enumerate(votes):
            line_id += 1
            lines.append((line_id, si + 1, oi + 1, n))
    ctx.copy_timed(
        SectionResult,
        [
            "id",
            "round_id",
            "section_id",
            "status",
            "registered",
            "voters",
            "blank",
            "void",
            "assessors",
            "entered_by_id",
            "created_at",
        ],
        pvs,
    )
    ctx.copy_timed(SectionResultLine, ["id", "result_id", "option_id", "votes"], lines)
    # The round's kept tally, as the services keep it (every PV in ``pvs`` and ``roll``,
    # validated ones in the rest): what the results page reads.
    from psycopg.types.json import Jsonb

    validated = {pv[0]: pv for pv in pvs if pv[3] == "validated"}
    votes: dict[str, int] = {}
    for _line, result_id, option_id, n in lines:
        if result_id in validated:
            votes[str(option_id)] = votes.get(str(option_id), 0) + n
    ctx.copy_timed(
        RoundTally,
        ["round_id", "pvs", "counted", "roll", "registered", "voters", "blank", "void", "votes"],
        [
            (
                1,
                len(pvs),
                len(validated),
                sum(pv[4] for pv in pvs),
                sum(pv[4] for pv in validated.values()),
                sum(pv[5] for pv in validated.values()),
                sum(pv[6] for pv in validated.values()),
                sum(pv[7] for pv in validated.values()),
                Jsonb(dict(sorted(votes.items()))),
            )
        ],
    )

    largest = org_targets.get("section_secretaries", [])
    ctx.targets[APP] = {
        "section_ballot_id": 1,
        "online_ballot_id": 2,
        "online_round_id": 2,
        "pvs": len(pvs),
        "roll": ctx.counts["ballots_rollentry"] // 2,
        "managers": [{"user_id": org_targets["national_first_secretary"]}]
        if org_targets.get("national_first_secretary")
        else [],
        "secretaries": [{"user_id": s["user_id"], "section_id": s["section_id"]} for s in largest],
        "members": org_targets.get("members", []),
        "pv_of_section": {
            str(s["section_id"]): next((p[0] for p in pvs if p[2] == s["section_id"]), None)
            for s in largest
        },
    }


def pages(targets: dict) -> list[Page]:
    t = targets.get(APP, {})
    if not t:
        return []
    b1, b2 = t["section_ballot_id"], t["online_ballot_id"]
    secretaries = [
        dict(s, pv_id=t["pv_of_section"].get(str(s["section_id"])))
        for s in t["secretaries"]
        if t["pv_of_section"].get(str(s["section_id"]))
    ]
    return [
        Page(
            "ballots.results",
            f"Résultats consolidés de {t['pvs']:,} procès-verbaux (direction nationale)".replace(
                ",", "\u202f"
            ),
            t["managers"],
            lambda e: [url("ballots:results", b1)],
        ),
        Page(
            "ballots.list",
            "Votes en cours (adhérent·e)",
            t["members"],
            lambda e: [url("ballots:list")],
            weight=2,
        ),
        Page(
            "ballots.vote",
            "Page de vote en ligne (adhérent·e de la liste électorale)",
            t["members"],
            lambda e: [url("ballots:vote", b2)],
            weight=2,
        ),
        Page(
            "ballots.pv",
            "Procès-verbal de sa section (secrétaire de section)",
            secretaries,
            lambda e: [url("ballots:pv_detail", e["pv_id"])],
        ),
    ]

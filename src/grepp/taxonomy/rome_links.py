"""The links of the ROME métiers: compétences and savoirs by bloc and rubrique (with cœur de métier),
contextes de travail, mobilités, and the groups they belong to (NAF sectors, sectors of activity,
themes, centres d'intérêt).

Called by :func:`grepp.taxonomy.rome.parse_rome` with its ``read`` function (which records each file
read for the release's content hash)::

    contexts = parse_contexts(rows, read, "rome-v460")
    parse_links(rows, read, rome_codes, skill_ids, contexts)
"""

from __future__ import annotations

from grepp.taxonomy.csvfile import Reader, check_known, columns, to_int
from grepp.taxonomy.rows import ReleaseRows

_RELATION = {"Principale": "core", "Émergente": "emerging"}
_RUBRIQUE_TYPE = {"1": "savoir-faire", "2": "savoir-être", "3": "savoir"}


def parse_contexts(rows: ReleaseRows, read: Reader, lv: str) -> set[str]:
    ctx = read(
        "referentiel_contexte_travail", ("code_ogr", "libelle_cont_travail", "libelle_type_cont_trav"), ("code_ogr",)
    )
    for ogr, label, kind in columns(ctx, "code_ogr", "libelle_cont_travail", "libelle_type_cont_trav"):
        rows.group(f"rome-ogr:{ogr}", "contexte_travail", ogr, label, description=kind, source=ctx.path.name)
        rows.label(f"rome-ogr:{ogr}", "fr", label, "preferred", lv)
    return {f"rome-ogr:{o}" for o in ctx.column("code_ogr")}


def parse_links(rows: ReleaseRows, read: Reader, codes: set[str], skills: set[str], contexts: set[str]) -> None:
    blocs_t = read("composition_bloc", ("code_compo_bloc", "libelle_bloc"), ("code_compo_bloc",))
    blocs: dict[str, str] = {r[0]: r[1] for r in columns(blocs_t, "code_compo_bloc", "libelle_bloc")}
    rub_t = read("descriptif_rubrique", ("code_rubrique", "code_compo_bloc", "libelle_rubrique"), ("code_rubrique",))
    rubriques: dict[str, str] = {r[0]: r[1] for r in columns(rub_t, "code_rubrique", "libelle_rubrique")}
    coh = read("coherence_item", ("code_rome", "code_ogr", "coeur_metier"), ("code_rome", "code_ogr"))
    check_known(coh, "code_rome", codes, "ROME code")
    coeur = {(r, o): c for r, o, c in columns(coh, "code_rome", "code_ogr", "coeur_metier") if c}
    links = read(
        "liens_rome_referentiels",
        ("code_rome", "code_compo_bloc", "code_rubrique", "code_ogr"),
        ("code_rome", "code_compo_bloc", "code_rubrique", "code_ogr"),
        nonempty=("code_rome", "code_compo_bloc", "code_ogr"),
    )
    check_known(links, "code_rome", codes, "ROME code")
    check_known(links, "code_compo_bloc", blocs, "bloc")
    for n, (code, bloc, rub, ogr) in enumerate(
        columns(links, "code_rome", "code_compo_bloc", "code_rubrique", "code_ogr")
    ):
        item = f"rome-ogr:{ogr}"
        if bloc == "5":
            if item not in skills:
                raise links.error(n, "code_ogr", f"unknown compétence/savoir OGR code {ogr!r}")
            if rub not in rubriques:
                raise links.error(n, "code_rubrique", f"unknown rubrique {rub!r}")
            core = coeur.get((code, ogr))
            rows.occupation_skill(
                f"rome:{code}",
                item,
                _RELATION.get(core or "", "linked"),
                skill_type=_RUBRIQUE_TYPE.get(rub),
                bloc_code=bloc,
                bloc_label=blocs[bloc],
                rubrique_code=rub,
                rubrique_label=rubriques[rub],
                coeur_metier=core,
            )
        elif bloc == "6":
            if item not in contexts:
                raise links.error(n, "code_ogr", f"unknown contexte de travail OGR code {ogr!r}")
            rows.membership(f"rome:{code}", item, "contexte_travail")
    mob = read("rubrique_mobilite", ("code_rome", "code_rome_cible", "numero_ordre"), ("code_rome", "code_rome_cible"))
    check_known(mob, "code_rome", codes, "ROME code")
    check_known(mob, "code_rome_cible", codes, "ROME code")
    for n, (src, dst, rank) in enumerate(columns(mob, "code_rome", "code_rome_cible", "numero_ordre")):
        rows.mobility(f"rome:{src}", f"rome:{dst}", to_int(mob, n, "numero_ordre", rank))


def parse_sectors(rows: ReleaseRows, read: Reader, codes: set[str], lv: str) -> None:
    """NAF sectors, themes, centres d'intérêt, sectors of activity and their métiers."""
    specs = (
        ("secteur_naf", "code_secteur_naf", "libelle_secteur_naf", None, "arborescence_secteur_naf", "rome-naf"),
        ("themes", "code_theme", "libelle_theme", "definition_theme", "arborescence_thematique", "rome-theme"),
        (
            "centre_interet",
            "code_centre_interet",
            "libelle_centre_interet",
            "definition_centre_interet",
            "arborescence_centre_interet",
            "rome-ci",
        ),
        (
            "secteur_activite",
            "code_sect_activite",
            "libelle_sect_activite",
            "definition_sect_activite",
            "arborescence_secteur_activite",
            "rome-sa",
        ),
    )
    for name, code_col, label_col, def_col, tree_name, prefix in specs:
        kind = name.rstrip("s")
        required = (code_col, label_col) + ((def_col,) if def_col else ())
        groups = read(name, required, (code_col,))
        for row in groups.rows:
            gid = f"{prefix}:{row[groups.index(code_col)]}"
            description = row[groups.index(def_col)] if def_col else None
            rows.group(
                gid,
                kind,
                row[groups.index(code_col)],
                row[groups.index(label_col)],
                description=description,
                source=groups.path.name,
            )
            rows.label(gid, "fr", row[groups.index(label_col)], "preferred", lv)
        if name == "secteur_activite":
            sub = read(
                "sous_secteur_activite",
                ("code_ss_sect_activite", "libelle_ss_sect_activite", "code_sect_activite"),
                ("code_ss_sect_activite",),
            )
            check_known(sub, "code_sect_activite", set(groups.column(code_col)), "secteur d'activité")
            for code, label, parent in columns(
                sub, "code_ss_sect_activite", "libelle_ss_sect_activite", "code_sect_activite"
            ):
                rows.group(
                    f"rome-ssa:{code}",
                    "sous_secteur_activite",
                    code,
                    label,
                    parent_id=f"rome-sa:{parent}",
                    source=sub.path.name,
                )
                rows.label(f"rome-ssa:{code}", "fr", label, "preferred", lv)
                rows.broader(f"rome-ssa:{code}", f"rome-sa:{parent}", sub.path.name)
        tree = read(tree_name, (code_col, "code_rome"), (code_col, "code_rome") if name != "secteur_activite" else ())
        check_known(tree, "code_rome", codes, "ROME code")
        check_known(tree, code_col, set(groups.column(code_col)), kind.replace("_", " "))
        principal_col = tree.index("principal") if "principal" in tree.header else None
        sub_col = tree.index("code_ss_sect_activite") if "code_ss_sect_activite" in tree.header else None
        for row in tree.rows:
            principal = row[principal_col] == "oui" if principal_col is not None else None
            group = f"{prefix}:{row[tree.index(code_col)]}"
            if sub_col is not None and row[sub_col]:
                group = f"rome-ssa:{row[sub_col]}"
            rows.membership(f"rome:{row[tree.index('code_rome')]}", group, kind, principal=principal)

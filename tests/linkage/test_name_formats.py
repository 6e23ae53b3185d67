"""Names as lists write them (issue 11, item 4): "Фамилия И.О.", "И.О. Фамилия", surname-first
Latin in capitals, given and family names in each other's columns, double names, particles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ombuds.linkage import PersonRecord, normalise_name
from ombuds.linkage.features import name_columns, records_to_frame, split_full_name

FAMILIES = ["Израилова", "Сатуев", "Идигов", "Тепсуркаев", "Гайрбеков", "Цечоева", "Мурдалов"]
GIVEN = ["Аминат", "Рустам", "Шамиль", "Зелимхан", "Хава", "Ислам", "Петимат"]
PATRONYMICS = ["Эминовна", "Нурдиевич", "Ахмедович", "Русланович", "Хамзатовна"]


def _keys(parts: tuple[str, str, str]) -> tuple[str, str, str]:
    given_name, patronymic, family = parts
    return (
        normalise_name(given_name, "given") or given_name[:1].lower(),
        patronymic[:1].lower(),
        normalise_name(family, "family"),
    )


@settings(max_examples=150, deadline=None)
@given(
    family=st.sampled_from(FAMILIES),
    given_name=st.sampled_from(GIVEN),
    patronymic=st.sampled_from(PATRONYMICS),
    layout=st.sampled_from(
        [
            "{f} {g} {p}",
            "{g} {p} {f}",
            "{f} {gi}.{pi}.",
            "{f} {gi}. {pi}.",
            "{gi}.{pi}. {f}",
            "{gi}. {pi}. {f}",
            "{F} {g} {p}",
            "{g} {p} {F}",
            "{f}, {g} {p}",
        ]
    ),
)
def test_a_cyrillic_name_splits_the_same_in_every_list_layout(
    family: str, given_name: str, patronymic: str, layout: str
) -> None:
    text = layout.format(
        f=family, F=family.upper(), g=given_name, p=patronymic, gi=given_name[0],
        pi=patronymic[0],
    )  # fmt: skip
    given_part, patronymic_part, family_part = split_full_name(text)
    assert normalise_name(family_part, "family") == normalise_name(family, "family"), text
    assert given_part[:1] == given_name[:1], text
    assert patronymic_part[:1] == patronymic[:1], text


@pytest.mark.parametrize(
    ("text", "family", "given_name"),
    [
        ("IDIGOV Shamil", "IDIGOV", "Shamil"),
        ("Shamil IDIGOV", "IDIGOV", "Shamil"),
        ("TEPSURKAEV Ruslan", "TEPSURKAEV", "Ruslan"),
        ("Ruslan Tepsurkaev", "Tepsurkaev", "Ruslan"),
        ("SATUEV R.", "SATUEV", "R."),
        ("GAIRBEK Aslan", "GAIRBEK", "Aslan"),  # no family-name ending: the capitals tell
        ("Aslan GAIRBEK", "GAIRBEK", "Aslan"),
    ],
)
def test_surname_in_capitals_is_the_family_name_in_either_place(
    text: str, family: str, given_name: str
) -> None:
    given_part, _patronymic, family_part = split_full_name(text)
    assert (family_part, given_part) == (family, given_name)


def test_oglu_and_kyzy_make_the_word_before_them_the_patronymic() -> None:
    assert split_full_name("Алиев Мамед Гусейн оглы") == ("Мамед", "Гусейн оглы", "Алиев")
    assert normalise_name("Гусейн оглы", "patronymic") == normalise_name("Гусейнович", "patronymic")


def test_particles_before_a_family_name_do_not_change_its_key() -> None:
    assert normalise_name("аль-Хаттаб", "family") == normalise_name("Хаттаб", "family")
    assert normalise_name("al Khattab", "family") == normalise_name("Khattab", "family")
    assert split_full_name("Omar al-Khattab")[2] == "al-Khattab"
    assert split_full_name("Omar ibn Khattab")[2] == "ibn Khattab"


@pytest.mark.parametrize(
    ("given_name", "patronymic", "family", "expected"),
    [
        # The family name in the given-name column: its ending and the dictionary tell.
        ("Идигов", "", "Шамиль", ("Шамиль", "", "Идигов")),
        ("Idigova", "", "Zarema", ("Zarema", "", "Idigova")),
        # The patronymic in the given-name column.
        ("Ахмедович", "Шамиль", "Идигов", ("Шамиль", "Ахмедович", "Идигов")),
        # Nothing tells: left as written.
        ("Шамиль", "", "Идигов", ("Шамиль", "", "Идигов")),
        ("Гайрбек", "", "Аслан", ("Гайрбек", "", "Аслан")),
    ],
)
def test_names_in_each_others_columns_are_put_back(
    given_name: str, patronymic: str, family: str, expected: tuple[str, str, str]
) -> None:
    assert name_columns(given_name, patronymic, family) == expected


def test_other_records_tell_which_column_a_name_without_an_ending_belongs_in() -> None:
    # "Гайрбек" has no family-name ending; eight records write it as the family name and one
    # record has it in the given-name column, with a given name as its family name.
    records = [
        PersonRecord(str(i), "ngo", given_name=g, family_name="Гайрбек")
        for i, g in enumerate(
            ["Аслан", "Ислам", "Руслан", "Адам", "Тимур", "Беслан", "Муса", "Иса"]
        )
    ]
    records.append(PersonRecord("x", "complaint", given_name="Гайрбек", family_name="Аслан"))
    frame = records_to_frame(records)
    last = frame.iloc[-1]
    assert last["fam_key"] == normalise_name("Гайрбек", "family")
    assert last["given_key"] == normalise_name("Аслан", "given")


@pytest.mark.parametrize(
    ("latin", "cyrillic", "role"),
    [
        ("Chassanow", "Хасанов", "family"),  # German ch = х, w = в
        ("Zechojew", "Цечоев", "family"),  # German z = ц, j = й
        ("Jussupowa", "Юсупова", "family"),  # German j = й, -owa
        ("Dschabrailow", "Джабраилов", "family"),  # German dsch = дж
        ("Tschadajew", "Чадаев", "family"),  # German tsch = ч
        ("Tsechoyev", "Цечоев", "family"),  # BGN -oyev
        ("Sarema", "Зарема", "given"),  # German s = з
        ("Chali", "Шали", "place"),  # French ch = ш
        ("Kurtschaloj", "Курчалой", "place"),
    ],
)
def test_german_and_french_spellings_share_a_sound_key_with_the_cyrillic(
    latin: str, cyrillic: str, role: str
) -> None:
    from ombuds.linkage.normalise import normalise_place, sound_key

    def key(text: str) -> str:
        return normalise_place(text) if role == "place" else normalise_name(text, role)  # type: ignore[arg-type]

    assert sound_key(key(latin)) == sound_key(key(cyrillic))


def test_a_german_spelling_in_the_press_links_to_the_complaint() -> None:
    from ombuds.linkage import LinkageSettings, link_records

    records = [
        PersonRecord("c1", "complaint", full_name="Хасанов Мурат Ахмедович", sex="m",
                     birth_date="1978-03-02", place="Курчалой", event_date="2004-04-12"),
        PersonRecord("p1", "press", full_name="Murat Chassanow", age=26, place="Kurtschaloj",
                     event_date="2004-04"),
        PersonRecord("c2", "complaint", full_name="Умаров Ислам Русланович", sex="m",
                     birth_date="1980-01-05", place="Шали", event_date="2003-02-01"),
    ]  # fmt: skip
    result = link_records(records, LinkageSettings())
    assert result.clusters[("complaint", "c1")] == result.clusters[("press", "p1")]
    assert result.clusters[("complaint", "c2")] != result.clusters[("press", "p1")]

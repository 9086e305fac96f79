import pytest

from kyodaku.text.surface import disguised, folded_into_word, person_name_part


@pytest.mark.parametrize(
    "surface", ["M4rio", "Μаrio", "Ｍａｒｉｏ", "M.a.r.i.o", "Ma\u2060rio", "M_a_r_i_o", "Mariõ"]
)
def test_when_a_name_is_written_to_dodge_a_filter_then_it_is_disguised(surface):
    assert disguised(surface, "Mario")


@pytest.mark.parametrize("surface", ["Mario", "mario", "MARIO"])
def test_when_a_name_is_typed_plainly_then_it_is_not_disguised(surface):
    assert not disguised(surface, "Mario")


@pytest.mark.parametrize(("surface", "name"), [("ribbon", "Ribon"), ("tie", "Chie"), ("teeth", "Teth")])
def test_when_a_fold_lands_on_an_ordinary_word_then_it_is_folded_into_a_word(surface, name):
    assert folded_into_word(surface, name)


@pytest.mark.parametrize(
    ("surface", "name"),
    [("Pickachu", "Pikachu"), ("Ribon", "Ribon"), ("P i k a c h u", "Pikachu"), ("P1kachu", "Pikachu")],
)
def test_when_the_surface_is_a_misspelling_or_the_name_then_it_is_not_a_word_fold(surface, name):
    assert not folded_into_word(surface, name)


@pytest.mark.parametrize(
    ("text", "span", "names", "expected"),
    [
        ("Mário de Andrade escrevendo", (0, 5), (), True),
        ("Luigi di Maio at a press conference", (0, 5), (), True),
        ("Luigi de Mario saltando", (0, 5), ((9, 14),), False),  # "de" + another name found there
        ("Luigi de noche", (0, 5), (), False),  # "noche" is a word, not a family name
    ],
)
def test_when_a_family_name_follows_a_particle_then_the_first_name_is_a_persons(text, span, names, expected):
    assert person_name_part(text, span, names) is expected

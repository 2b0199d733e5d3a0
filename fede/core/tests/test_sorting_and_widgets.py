from django import forms

from fede.core.forms import SearchableCheckboxes, SearchableSelect
from fede.core.sorting import natural_key, natural_sort_key

NAMES = ["Paris 10e", "Paris 2e", "Paris 1er", "Paris 20e", "Paris 11e", "Épinay", "paris 3e"]
EXPECTED = ["Épinay", "Paris 1er", "Paris 2e", "paris 3e", "Paris 10e", "Paris 11e", "Paris 20e"]


def test_natural_key_puts_paris_2_before_paris_10():
    assert sorted(NAMES, key=natural_key) == EXPECTED


def test_the_stored_key_sorts_the_same_way_as_text():
    assert sorted(NAMES, key=natural_sort_key) == EXPECTED
    assert natural_sort_key("Paris 2e") == "paris 000002e"


class _Form(forms.Form):
    section = forms.ChoiceField(
        label="Section de destination",
        choices=[("1", "Paris 1er"), ("2", "Paris 2e")],
        widget=SearchableSelect,
    )
    co = forms.MultipleChoiceField(
        label="Co-organisatrices",
        choices=[("1", "Paris 1er"), ("2", "Paris 2e")],
        widget=SearchableCheckboxes,
        required=False,
    )


def test_long_lists_render_a_filter_box_and_boxes_instead_of_ctrl_click():
    html = str(_Form())
    assert 'data-filter-for="id_section"' in html
    assert 'aria-label="Filtrer la liste : Section de destination"' in html
    assert 'data-filter-for="id_co_choices"' in html
    assert html.count('type="checkbox"') == 2
    assert "multiple" not in html
    assert "data-filter-item" in html

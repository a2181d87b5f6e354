"""Offline scripts: exact text per language, with and without price, offer and audience; variants differ."""

from __future__ import annotations

import pytest

from editfactory.core.errors import ValidationError
from editfactory.writing.brief import LANGUAGES, Brief
from editfactory.writing.phrases import PHRASES
from editfactory.writing.templates import template_scripts

FULL = dict(product="Aroma Mug", description="A ceramic mug that keeps coffee hot for three hours. Dishwasher safe.",
            price="$25", offer="free shipping this week.", audience="coffee lovers", target_seconds=40)
BARE = dict(product="Aroma Mug", target_seconds=40)

EXPECTED = {
    ("en", "full"): "Stop scrolling: this is Aroma Mug. Made for coffee lovers. Aroma Mug makes every day a little "
    "easier. A ceramic mug that keeps coffee hot for three hours. Try it once and you will see why our customers "
    "keep coming back. Get it for just $25. Plus: free shipping this week. Tap the link and get yours today.",
    ("en", "bare"): "Stop scrolling: this is Aroma Mug. Aroma Mug makes every day a little easier. Try it once and "
    "you will see why our customers keep coming back. Tap the link and get yours today.",
    ("ro", "full"): "Oprește-te o clipă și descoperă Aroma Mug. Pentru coffee lovers, este alegerea ideală. Cu Aroma "
    "Mug, fiecare zi devine mai simplă. A ceramic mug that keeps coffee hot for three hours. O singură încercare și "
    "vei înțelege de ce clienții noștri revin. Costă doar $25. Și în plus: free shipping this week. Apasă pe link "
    "și comandă chiar azi.",
    ("ro", "bare"): "Oprește-te o clipă și descoperă Aroma Mug. Cu Aroma Mug, fiecare zi devine mai simplă. O singură "
    "încercare și vei înțelege de ce clienții noștri revin. Apasă pe link și comandă chiar azi.",
    ("es", "bare"): "Deja de deslizar: esto es Aroma Mug. Con Aroma Mug, cada día es más fácil. Basta una prueba para "
    "entender por qué nuestros clientes repiten. Toca el enlace y haz tu pedido hoy.",
    ("fr", "bare"): "Arrêtez de défiler : voici Aroma Mug. Avec Aroma Mug, chaque journée devient plus simple. Un seul "
    "essai suffit pour comprendre pourquoi nos clients reviennent. Touchez le lien et commandez dès aujourd'hui.",
    ("de", "bare"): "Hör auf zu scrollen: Das ist Aroma Mug. Mit Aroma Mug wird jeder Tag einfacher. Ein Versuch "
    "genügt, und du verstehst, warum unsere Kunden wiederkommen. Tipp auf den Link und bestell noch heute.",
    ("it", "bare"): "Fermati un attimo e scopri Aroma Mug. Con Aroma Mug, ogni giorno diventa più semplice. Basta una "
    "prova per capire perché i nostri clienti ritornano. Tocca il link e ordina oggi stesso.",
}


@pytest.mark.parametrize("language, which", sorted(EXPECTED))
def test_the_first_script_of_a_brief_is_exactly_this(language, which):
    brief = Brief(**(FULL if which == "full" else BARE), language=language)
    assert template_scripts(brief, 1)[0].text == EXPECTED[language, which]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_price_and_offer_each_stand_alone(language):
    words = PHRASES[language]
    only_price = template_scripts(Brief("Aroma Mug", price="49 lei", language=language), 1)[0].text
    only_offer = template_scripts(Brief("Aroma Mug", offer="2 for 1!", language=language), 1)[0].text
    assert words.price.format(price="49 lei") in only_price
    assert words.offer_alone.format(offer="2 for 1") in only_offer
    assert "49 lei" not in only_offer and "{" not in only_price + only_offer and ".." not in only_offer


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_ten_variants_have_ten_different_first_sentences_and_the_seed_repeats_them(language):
    brief = Brief(**FULL, language=language)
    variants = template_scripts(brief, 10, seed=7)
    assert len({v.hook for v in variants}) == 10
    assert all(v.text.startswith(v.hook) for v in variants)
    assert len({v.angle for v in variants[:5]}) == 5
    assert [v.text for v in template_scripts(brief, 10, seed=7)] == [v.text for v in variants]
    assert [v.text for v in template_scripts(brief, 10, seed=8)] != [v.text for v in variants]


def test_a_short_target_drops_the_optional_sentences_but_keeps_price_and_call():
    brief = Brief(**{**FULL, "target_seconds": 8})
    text = template_scripts(brief, 1)[0].text
    assert "ceramic" not in text and "coffee lovers" not in text and "Try it once" not in text
    assert text.endswith("Get it for just $25. Plus: free shipping this week. Tap the link and get yours today.")


@pytest.mark.parametrize("n", [0, 11, 2.5, "3"])
def test_the_number_of_variants_is_one_to_ten(n):
    with pytest.raises(ValidationError, match="number of scripts"):
        template_scripts(Brief("Mug"), n)

"""The sentences the offline templates are made of, per language: hooks, benefits, proof, price, offer, calls.

Every sentence is written so it stays grammatical whatever the product's name is: the name never needs an
article, a gender or an elision (in French "de iPhone" would be wrong, so the name follows a colon or a verb),
and the price, offer and audience stand in sentences of their own, so a brief without them simply leaves
those sentences out. ``{product}``, ``{price}``, ``{offer}`` and ``{audience}`` are filled by
:mod:`editfactory.writing.templates`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phrases:
    """One language's sentences; ``hooks`` (10, one per variant) and ``angles`` (5) give variants their variety."""

    hooks: tuple[str, ...]
    angles: tuple[str, ...]
    audience: str
    proof: str
    price: str
    offer_after_price: str
    offer_alone: str
    calls: dict[str, str]  # by tone
    hashtags: tuple[str, ...]  # general shopping tags in this language, after the product's own


PHRASES: dict[str, Phrases] = {
    "en": Phrases(
        hooks=(
            "Stop scrolling: this is {product}.",
            "You have never seen anything like {product}.",
            "Here is why everyone is talking about {product}.",
            "Looking for something that just works? Meet {product}.",
            "This might be the best thing you buy this year: {product}.",
            "Wait until you see what {product} can do.",
            "One small change, a big difference: {product}.",
            "Still doing it the hard way? Try {product}.",
            "We made {product} for people who want more.",
            "Meet {product}, and see the difference for yourself.",
        ),
        angles=(
            "{product} makes every day a little easier.",
            "It is built to last, and it looks great too.",
            "It saves you time, so you can focus on what matters.",
            "You can feel the quality from the very first use.",
            "Simple to use, and hard to live without.",
        ),
        audience="Made for {audience}.",
        proof="Try it once and you will see why our customers keep coming back.",
        price="Get it for just {price}.",
        offer_after_price="Plus: {offer}.",
        offer_alone="Right now: {offer}.",
        calls={
            "friendly": "Tap the link and get yours today.",
            "premium": "Discover it through the link in our profile.",
            "urgent": "Order now, before it is gone.",
            "funny": "Go on, tap the link. Your future self says thanks.",
        },
        hashtags=("#musthave", "#shopping", "#giftideas", "#newarrivals", "#tiktokmademebuyit"),
    ),
    "ro": Phrases(
        hooks=(
            "Oprește-te o clipă și descoperă {product}.",
            "N-ai mai văzut ceva ca {product}.",
            "Iată de ce toată lumea vorbește despre {product}.",
            "Cauți ceva care pur și simplu funcționează? Încearcă {product}.",
            "Poate fi cea mai bună alegere a ta din acest an: {product}.",
            "Așteaptă să vezi ce poate face {product}.",
            "O schimbare mică, o diferență mare: {product}.",
            "Încă îți complici viața? Încearcă {product}.",
            "Am creat {product} pentru cei care vor mai mult.",
            "Descoperă {product} și vezi diferența cu ochii tăi.",
        ),
        angles=(
            "Cu {product}, fiecare zi devine mai simplă.",
            "Rezistă în timp și arată excelent.",
            "Îți economisește timp, ca să te concentrezi pe ce contează.",
            "Calitatea se simte de la prima folosire.",
            "Se folosește ușor și devine repede un obicei.",
        ),
        audience="Pentru {audience}, este alegerea ideală.",
        proof="O singură încercare și vei înțelege de ce clienții noștri revin.",
        price="Costă doar {price}.",
        offer_after_price="Și în plus: {offer}.",
        offer_alone="Acum: {offer}.",
        calls={
            "friendly": "Apasă pe link și comandă chiar azi.",
            "premium": "Descoperă mai multe prin linkul din profil.",
            "urgent": "Comandă acum, până nu se termină stocul.",
            "funny": "Hai, apasă pe link. Viitorul tău îți mulțumește.",
        },
        hashtags=("#cumparaturi", "#recomandari", "#ideicadou", "#noutati", "#romania"),
    ),
    "es": Phrases(
        hooks=(
            "Deja de deslizar: esto es {product}.",
            "Nunca has visto nada como {product}.",
            "Por esto todo el mundo habla de {product}.",
            "¿Buscas algo que simplemente funcione? Prueba {product}.",
            "Puede ser tu mejor compra del año: {product}.",
            "Espera a ver lo que {product} puede hacer.",
            "Un pequeño cambio, una gran diferencia: {product}.",
            "¿Sigues complicándote la vida? Prueba {product}.",
            "Creamos {product} para quienes quieren más.",
            "Descubre {product} y comprueba la diferencia.",
        ),
        angles=(
            "Con {product}, cada día es más fácil.",
            "Resiste el paso del tiempo y luce genial.",
            "Te ahorra tiempo para que te centres en lo importante.",
            "Su calidad se nota desde el primer uso.",
            "Es fácil de usar y se convierte enseguida en un hábito.",
        ),
        audience="Ideal para {audience}.",
        proof="Basta una prueba para entender por qué nuestros clientes repiten.",
        price="Cuesta solo {price}.",
        offer_after_price="Y además: {offer}.",
        offer_alone="Ahora mismo: {offer}.",
        calls={
            "friendly": "Toca el enlace y haz tu pedido hoy.",
            "premium": "Descubre más en el enlace de nuestro perfil.",
            "urgent": "Pide ahora, antes de que se agote.",
            "funny": "Venga, toca el enlace. Tu yo del futuro te lo agradecerá.",
        },
        hashtags=("#compras", "#recomendado", "#ideasderegalo", "#novedades", "#imprescindible"),
    ),
    "fr": Phrases(
        hooks=(
            "Arrêtez de défiler : voici {product}.",
            "Vous n'avez jamais rien vu de tel : {product}.",
            "Tout le monde en parle : {product}.",
            "Vous cherchez quelque chose qui fonctionne, tout simplement ? Essayez {product}.",
            "Votre meilleur achat de l'année est peut-être là : {product}.",
            "Attendez de voir ce dont {product} est capable.",
            "Un petit changement, une grande différence : {product}.",
            "Vous vous compliquez encore la vie ? Essayez {product}.",
            "Nous avons créé {product} pour ceux qui veulent plus.",
            "Découvrez {product} et voyez la différence.",
        ),
        angles=(
            "Avec {product}, chaque journée devient plus simple.",
            "La solidité et le style, réunis.",
            "Vous gagnez du temps pour vous concentrer sur l'essentiel.",
            "La qualité se sent dès la première utilisation.",
            "Simple à utiliser, et vite indispensable.",
        ),
        audience="Le choix idéal pour {audience}.",
        proof="Un seul essai suffit pour comprendre pourquoi nos clients reviennent.",
        price="Le prix : seulement {price}.",
        offer_after_price="Et en plus : {offer}.",
        offer_alone="En ce moment : {offer}.",
        calls={
            "friendly": "Touchez le lien et commandez dès aujourd'hui.",
            "premium": "Découvrez-en plus via le lien de notre profil.",
            "urgent": "Commandez maintenant, avant la rupture de stock.",
            "funny": "Allez, touchez le lien. Votre futur vous dira merci.",
        },
        hashtags=("#shopping", "#coupdecoeur", "#ideecadeau", "#nouveaute", "#bonplan"),
    ),
    "de": Phrases(
        hooks=(
            "Hör auf zu scrollen: Das ist {product}.",
            "So etwas hast du noch nie gesehen: {product}.",
            "Alle reden darüber: {product}.",
            "Du suchst etwas, das einfach funktioniert? Probier {product}.",
            "Vielleicht dein bester Kauf des Jahres: {product}.",
            "Warte ab, was {product} alles kann.",
            "Kleine Veränderung, großer Unterschied: {product}.",
            "Machst du es dir immer noch schwer? Probier {product}.",
            "Wir haben {product} für alle gemacht, die mehr wollen.",
            "Entdecke {product} und überzeug dich selbst.",
        ),
        angles=(
            "Mit {product} wird jeder Tag einfacher.",
            "Langlebig und dazu richtig schön.",
            "Du sparst Zeit für das, was wirklich zählt.",
            "Die Qualität spürst du ab der ersten Benutzung.",
            "Einfach zu benutzen und schnell unverzichtbar.",
        ),
        audience="Ideal für {audience}.",
        proof="Ein Versuch genügt, und du verstehst, warum unsere Kunden wiederkommen.",
        price="Der Preis: nur {price}.",
        offer_after_price="Und dazu: {offer}.",
        offer_alone="Gerade jetzt: {offer}.",
        calls={
            "friendly": "Tipp auf den Link und bestell noch heute.",
            "premium": "Mehr erfährst du über den Link in unserem Profil.",
            "urgent": "Jetzt bestellen, bevor alles weg ist.",
            "funny": "Na los, tipp auf den Link. Dein zukünftiges Ich sagt danke.",
        },
        hashtags=("#shopping", "#empfehlung", "#geschenkidee", "#neuheit", "#musthave"),
    ),
    "it": Phrases(
        hooks=(
            "Fermati un attimo e scopri {product}.",
            "Non hai mai visto niente di simile: {product}.",
            "Tutti ne parlano: {product}.",
            "Cerchi qualcosa che funzioni e basta? Prova {product}.",
            "Forse il miglior acquisto dell'anno: {product}.",
            "Aspetta di vedere cosa sa fare {product}.",
            "Un piccolo cambiamento, una grande differenza: {product}.",
            "Ti complichi ancora la vita? Prova {product}.",
            "Abbiamo creato {product} per chi vuole di più.",
            "Scopri {product} e senti la differenza.",
        ),
        angles=(
            "Con {product}, ogni giorno diventa più semplice.",
            "Resiste nel tempo e ha uno stile unico.",
            "Ti fa risparmiare tempo per concentrarti su ciò che conta.",
            "La qualità si sente dal primo utilizzo.",
            "Facile da usare e subito indispensabile.",
        ),
        audience="Ideale per {audience}.",
        proof="Basta una prova per capire perché i nostri clienti ritornano.",
        price="Il prezzo: solo {price}.",
        offer_after_price="E in più: {offer}.",
        offer_alone="Proprio ora: {offer}.",
        calls={
            "friendly": "Tocca il link e ordina oggi stesso.",
            "premium": "Scopri di più con il link nel nostro profilo.",
            "urgent": "Ordina ora, prima che finisca.",
            "funny": "Dai, tocca il link. Il tuo io del futuro ti ringrazierà.",
        },
        hashtags=("#shopping", "#consigli", "#idearegalo", "#novita", "#imperdibile"),
    ),
}

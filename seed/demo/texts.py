"""The Dutch texts of the demo: agreed results with their GAS scales, questions, reasons for
returns, cancellations, refusals and price deviations, given names by generation, and the texts
of evaluations, reviews, claim refusals and scaling requests.
"""

from __future__ import annotations

from models import Domain

from .catalogue import JEUGD, WMO

Gas = tuple[str, str, str, str, str]
RESULTS: dict[str, tuple[tuple[str, str, Gas | None], ...]] = {
    "hh": (
        ("Schoon en leefbaar huis",
         "Woonkamer, keuken, sanitair en slaapkamer zijn wekelijks schoon; bekeken bij evaluatie.",
         ("Huis is vervuild; risico voor de gezondheid",
          "Huis is deels schoon; sanitair en keuken blijven achter",
          "Huis is schoon en leefbaar",
          "Inwoner doet zelf weer lichte taken",
          "Inwoner houdt het huis grotendeels zelf bij met hulp van het netwerk")),
        ("Beschikken over schone en passende kleding en beddengoed",
         "De was wordt wekelijks gedaan, gestreken en opgeborgen.", None),
        ("Boodschappen en maaltijden zijn geregeld",
         "Er is elke week voldoende eten in huis; het netwerk of een bezorgdienst helpt.", None),
        ("Het huishouden is georganiseerd",
         "Er is een weekplanning voor het huishouden die de inwoner zelf kan volgen.", None),
    ),
    "bg": (
        ("Zelfstandig de administratie bijhouden",
         "Post wordt wekelijks geopend en rekeningen worden op tijd betaald.",
         ("Nieuwe schulden en aanmaningen",
          "Post blijft liggen; enkele aanmaningen",
          "Rekeningen op tijd betaald met wekelijkse ondersteuning",
          "Inwoner betaalt zelf; maandelijkse controle",
          "Inwoner doet de administratie volledig zelfstandig")),
        ("Een vaste dagstructuur hebben",
         "Inwoner staat op vaste tijden op en werkt met een weekplanning.", None),
        ("Sociaal netwerk uitgebreid",
         "Ten minste twee contacten per week buiten de hulpverlening.", None),
        ("Zelfstandig blijven wonen zonder terugval",
         "Geen crisismeldingen of opnames in de looptijd van het traject.", None),
    ),
    "bgj": (
        ("Een passende dagbesteding, opleiding of werk",
         "Jongere gaat minstens vier dagdelen per week naar school, werk of dagbesteding.", None),
        ("Zelfstandig wonen voorbereid",
         "Jongere kan koken, wassen en boodschappen doen en heeft een woning in zicht.", None),
        ("Zelfstandig de administratie bijhouden",
         "Zorgtoeslag en zorgverzekering zijn geregeld; rekeningen worden op tijd betaald.", None),
    ),
    "pv": (
        ("Dagelijks gewassen en aangekleed",
         "De inwoner is elke ochtend voor tien uur gewassen en aangekleed.", None),
        ("Medicatie wordt op tijd ingenomen",
         "Geen gemiste medicatiemomenten volgens de toedienlijst.", None),
        ("Mantelzorger is ontlast bij de verzorging",
         "Mantelzorger geeft bij evaluatie aan de zorg vol te kunnen houden.", None),
    ),
    "kv": (
        ("Mantelzorger is ontlast",
         "Mantelzorger heeft elke maand een weekend voor zichzelf.",
         ("Mantelzorger is overbelast en dreigt uit te vallen",
          "Mantelzorger houdt het met moeite vol",
          "Mantelzorger houdt de zorg vol met een vrij weekend per maand",
          "Mantelzorger heeft ook doordeweeks tijd voor zichzelf",
          "Mantelzorger ervaart geen overbelasting meer")),
        ("Inwoner kan thuis blijven wonen",
         "Geen opname in de looptijd van het traject.", None),
    ),
    "fin": (
        ("Schulden zijn in beeld en er is een regeling",
         "Alle schuldeisers zijn bekend; er loopt een betalingsregeling.", None),
        ("Zelfstandig de administratie bijhouden",
         "Post wordt wekelijks geopend en geordend; vaste lasten gaan automatisch.", None),
        ("Inkomen is op orde",
         "Alle toeslagen en voorzieningen waar de inwoner recht op heeft zijn aangevraagd.", None),
    ),
    "db": (
        ("Zinvolle daginvulling",
         "Inwoner bezoekt drie dagdelen per week de dagbesteding.", None),
        ("Mantelzorger is overdag ontlast",
         "Mantelzorger heeft twee dagen per week tijd voor werk of zichzelf.", None),
        ("Minder eenzaam",
         "Inwoner geeft aan zich minder eenzaam te voelen (score bij evaluatie).", None),
    ),
    "dem": (
        ("Zo lang mogelijk veilig thuis blijven wonen",
         "Achteruitgang wordt vertraagd; de thuissituatie is veilig volgens de casemanager.",
         ("Thuissituatie is onveilig; opname nodig",
          "Thuissituatie is wankel; er zijn incidenten",
          "Inwoner woont veilig thuis met dagbesteding",
          "Inwoner woont veilig thuis en het netwerk helpt mee",
          "Stabiel; mantelzorger ervaart weinig belasting")),
        ("Mantelzorger kan de zorg volhouden",
         "Mantelzorger scoort bij evaluatie niet hoger dan matig belast.", None),
    ),
    "mw": (
        ("Veilige en stabiele thuissituatie",
         "Geen meldingen van overlast of onveilige situaties.", None),
        ("Zelfstandig de administratie bijhouden",
         "Rekeningen worden op tijd betaald met hulp van het netwerk.", None),
        ("Een vaste dagstructuur hebben",
         "Inwoner heeft een weekplanning en houdt zich er grotendeels aan.", None),
    ),
    "amb": (
        ("Naar school gaan zonder spijbelen",
         "Aanwezigheid op school minstens 95 % volgens de leerplichtambtenaar.",
         ("Kind gaat niet naar school",
          "Kind verzuimt meer dan een dag per week",
          "Kind is minstens 95 % aanwezig op school",
          "Kind is volledig aanwezig en haalt voldoendes",
          "Kind gaat met plezier naar school en heeft vrienden in de klas")),
        ("Ouders hanteren een vaste opvoedstructuur",
         "Ouders passen afspraken over bedtijd en schermtijd consequent toe.", None),
        ("Minder conflicten thuis",
         "Het aantal escalaties per week daalt naar hooguit één.",
         ("Dagelijks escalaties; politie betrokken",
          "Meerdere escalaties per week",
          "Hooguit één escalatie per week",
          "Conflicten worden zonder escalatie uitgepraat",
          "Geen escalaties meer; gezin lost conflicten zelf op")),
        ("Kind heeft een vrijetijdsbesteding",
         "Kind gaat wekelijks naar een club of vereniging.", None),
    ),
    "ggz": (
        ("Angstklachten verminderd",
         "Klachtenscore is bij evaluatie ten minste een derde lager dan bij de start.", None),
        ("Kind kan weer slapen",
         "Kind slaapt minstens vijf nachten per week door.", None),
        ("Kind functioneert weer op school",
         "Kind volgt het volledige lesrooster zonder uitval.", None),
        ("Weerbaarheid vergroot",
         "Kind kan in eigen woorden zeggen wat het helpt als het moeilijk wordt.", None),
    ),
    "dbj": (
        ("Kind kan deelnemen aan een passende onderwijsplek",
         "Kind stroomt door naar (speciaal) onderwijs of een kinderdagverblijf.", None),
        ("Ontwikkeling op gang",
         "Ontwikkelingsdoelen uit het behandelplan zijn bij evaluatie behaald.", None),
        ("Ouders kunnen de zorg thuis aan",
         "Ouders geven bij evaluatie aan de avonden en weekenden aan te kunnen.", None),
    ),
    "vb": (
        ("Veilige en stabiele woonplek",
         "Jeugdige woont op een vaste plek zonder overplaatsingen.", None),
        ("Terugkeer naar huis voorbereid",
         "Er is een perspectiefplan en het kind gaat elk weekend naar huis.",
         ("Geen contact met ouders",
          "Begeleid contact, onregelmatig",
          "Kind gaat elk weekend naar huis",
          "Kind woont weer halve weken thuis",
          "Kind woont weer thuis met ambulante hulp")),
        ("Naar school gaan zonder spijbelen",
         "Aanwezigheid op school minstens 95 %.", None),
    ),
    "crisis": (
        ("Veiligheid hersteld binnen vier weken",
         "Er is een veiligheidsplan en er zijn geen nieuwe incidenten.", None),
        ("Vervolghulp is geregeld",
         "Aan het eind van de crisishulp is duidelijk welke hulp nodig is.", None),
    ),
    "pvj": (
        ("Zelfstandig aan- en uitkleden",
         "Kind kleedt zich 's ochtends zelf aan met hooguit een aanwijzing.", None),
        ("Ouders zijn ontlast bij de verzorging",
         "Ouders geven bij evaluatie aan de verzorging vol te houden.", None),
    ),
    "mwj": (
        ("Ouders kunnen de zorg voor het kind weer dragen",
         "Ouders geven bij evaluatie aan het zonder hulp aan te kunnen.", None),
        ("Gezin heeft een stabiel dagritme",
         "Vaste tijden voor opstaan, eten en naar bed; kinderen op tijd op school.", None),
        ("Netwerk is betrokken",
         "Ten minste twee mensen uit het netwerk helpen wekelijks mee.", None),
        ("Minder conflicten thuis",
         "Het aantal escalaties per week daalt naar hooguit één.", None),
    ),
}  # fmt: skip

QUESTIONS: dict[str, tuple[str, ...]] = {
    "hh": ("Inwoner kan het huishouden niet meer zelf bijhouden na een heupoperatie.",
           "Mevrouw redt het schoonmaken niet meer sinds haar man is overleden.",
           "Meneer heeft COPD en kan geen zwaar huishoudelijk werk meer doen.",
           "Het huis raakt vervuild; de dochter kan niet meer bijspringen."),
    "bg": ("Inwoner raakt het overzicht kwijt over post, afspraken en geld.",
           "Na een opname heeft inwoner hulp nodig om zelfstandig te blijven wonen.",
           "Inwoner is eenzaam en komt de deur nauwelijks uit."),
    "bgj": ("Jongere wordt 18 en heeft nog begeleiding nodig bij school en wonen.",
            "Jongvolwassene zonder dagbesteding; ouders maken zich zorgen."),
    "pv": ("Inwoner kan zich niet meer zelf wassen en aankleden.",
           "Mantelzorger kan de verzorging 's ochtends niet meer aan."),
    "kv": ("Mantelzorger is overbelast en heeft af en toe een weekend vrij nodig.",
           "Echtgenote zorgt dag en nacht voor haar man; ze dreigt uit te vallen."),
    "fin": ("Inwoner heeft schulden en opent de post niet meer.",
            "Na een scheiding is de administratie een puinhoop."),
    "db": ("Inwoner zit thuis zonder daginvulling en vereenzaamt.",
           "Mantelzorger werkt en zoekt dagbesteding voor haar moeder."),
    "dem": ("Meneer heeft de diagnose dementie; zijn vrouw heeft overdag ontlasting nodig.",
            "Mevrouw is vergeetachtig en raakt thuis gedesoriënteerd."),
    "mw": ("Meerdere problemen tegelijk: woning, geld en gezondheid.",
           "Inwoner dreigt uit huis gezet te worden door overlast."),
    "amb": ("Ouders lopen vast in de opvoeding; veel ruzie thuis.",
            "Kind spijbelt en heeft woede-uitbarstingen.",
            "School meldt zorgen over het gedrag van het kind."),
    "ggz": ("Kind heeft angstklachten en durft niet meer naar school.",
            "Huisarts verwijst door vanwege somberheid en slaapproblemen.",
            "Vermoeden van ADHD; school en ouders vragen om onderzoek en behandeling."),
    "dbj": ("Jong kind met een ontwikkelingsachterstand; peuterspeelzaal is niet passend.",
            "Kind kan niet meer naar school; intensieve behandeling overdag nodig."),
    "vb": ("Thuis wonen is niet meer veilig; kind kan tijdelijk niet thuis wonen.",
           "Ouders kunnen de zorg niet meer dragen; er is een woonplek nodig."),
    "crisis": ("Acute onveilige situatie thuis; crisisdienst ingeschakeld.",
               "Jongere is in crisis na een suïcidepoging."),
    "pvj": ("Kind met een lichamelijke beperking heeft hulp nodig bij de verzorging.",),
    "mwj": ("Gezin met meerdere problemen; ouders vragen hulp bij de opvoeding.",
            "Na een scheiding loopt het thuis vast; kinderen hebben hulp nodig."),
}  # fmt: skip

RETURN_REASONS = (
    "Geen capaciteit; de wachttijd is op dit moment ongeveer tien weken.",
    "Het profiel past niet bij de hulpvraag; wij adviseren een hogere intensiteit.",
    "Inwoner woont buiten ons werkgebied; wij kunnen niet tijdig starten.",
    "De gevraagde inzet past niet binnen de trajectprijs; graag overleg.",
)
CANCEL_REASONS = (
    "Inwoner ziet af van ondersteuning.",
    "Inwoner is verhuisd naar een andere gemeente.",
    "Het netwerk pakt de ondersteuning zelf op.",
    "Inwoner is opgenomen met een Wlz-indicatie.",
    "Andere oplossing gevonden via het voorliggend veld.",
)
REFUSAL_REASONS: dict[Domain, tuple[str, ...]] = {
    WMO: ("Voorliggende voorziening toereikend: de algemene voorziening huishoudelijke hulp.",
          "Eigen kracht en netwerk zijn toereikend.",
          "Zorg valt onder de Zorgverzekeringswet (wijkverpleging).",
          "Inwoner heeft een Wlz-indicatie.",
          "Inwoner woont niet in de gemeente Dronten."),
    JEUGD: ("Voorliggende voorziening toereikend: de praktijkondersteuner jeugd van de huisarts.",
            "Hulp via school (passend onderwijs) is toereikend.",
            "Zorg valt onder de Zorgverzekeringswet.",
            "Het gezin woont niet in de gemeente Dronten."),
}  # fmt: skip
NO_FOLLOW_UP_REASONS = (
    "Inwoner heeft de aanvraag ingetrokken.",
    "Inwoner was na drie pogingen niet bereikbaar.",
    None,
)
PRICE_REASONS = (
    "Meerkosten vervoer vanuit Biddinghuizen, afgesproken met de aanbieder.",
    "Combinatie met een lopend traject; lagere prijs afgesproken.",
    "Inzet van een tolk nodig; meerprijs afgesproken.",
    "Complexe situatie; extra inzet gedragswetenschapper afgesproken.",
    "Kortere inzet nodig dan het standaardtraject; prijs naar rato.",
)
# Given names of people born before 1955 (Faker's names are of a younger generation).
# fmt: off
OLD_GIVEN_F = ("Johanna", "Maria", "Cornelia", "Hendrika", "Wilhelmina", "Geertruida", "Aaltje",
               "Grietje", "Anna", "Elisabeth", "Catharina", "Jacoba", "Gerritje", "Neeltje")
OLD_GIVEN_M = ("Johannes", "Hendrik", "Cornelis", "Jan", "Pieter", "Willem", "Gerrit", "Jacobus",
               "Dirk", "Klaas", "Teunis", "Albert", "Hendrikus", "Arie")
# Born 1955–1994, and the staff.
MID_GIVEN_F = ("Marieke", "Anouk", "Sanne", "Linda", "Esther", "Karin", "Ingrid", "Petra", "Mirjam",
               "Annemarie", "Femke", "Lotte", "Ilse", "Nicole", "Monique", "Wendy", "Saskia",
               "Evelien", "Judith", "Renate", "Hanneke", "Kim", "Laura", "Iris", "Marloes",
               "Anja", "Yvonne", "Sandra", "Miranda", "Jolanda", "Fatima", "Naima")
MID_GIVEN_M = ("Mark", "Jeroen", "Martijn", "Bas", "Erik", "Thomas", "Joost", "Niels", "Dennis",
               "Rob", "Maarten", "Sander", "Wouter", "Ruben", "Tim", "Koen", "Jasper", "Arjan",
               "Frank", "Marcel", "Richard", "Patrick", "Michiel", "Edwin", "Mohamed", "Ahmed",
               "Hans", "Peter", "René", "Ronald")
# fmt: on

# --- evaluations, claims, change requests and tasks -------------------------------------------

EVALUATION_SUMMARIES: dict[str, tuple[str, ...]] = {
    "goed": (
        "Het gaat goed: de afspraken lopen en de inwoner pakt steeds meer zelf op.",
        "Duidelijke vooruitgang; de ondersteuning kan richting afbouw.",
        "De doelen zijn grotendeels in zicht. Netwerk is meer betrokken dan bij de start.",
        "Inwoner is tevreden over de hulp; de geplande aanpak wordt voortgezet.",
    ),
    "matig": (
        "Wisselend verloop. Sommige afspraken lukken, andere nog niet; aanpak blijft gelijk.",
        "Langzame vooruitgang. Afgesproken om het netwerk meer te betrekken.",
        "Situatie is stabiel, nog geen duidelijke stap vooruit. Volgende evaluatie opnieuw kijken.",
        "Een deel van de doelen is gehaald; extra aandacht voor de dagstructuur.",
    ),
    "zorg": (
        "Het gaat minder goed: afspraken komen niet van de grond. Overleg met de gids nodig.",
        "Terugval in de afgelopen periode; de doelen lijken niet haalbaar binnen de termijn.",
        "Inwoner is moeilijk bereikbaar en zegt afspraken af. Zorgen over het vervolg.",
        "Geen vooruitgang; de vraag is of deze ondersteuning nog passend is.",
    ),
}
SCORE_EXPLANATIONS: dict[int, str] = {
    -2: "Veel slechter dan verwacht.",
    -1: "Nog niet op het verwachte niveau.",
    0: "Zoals afgesproken.",
    1: "Beter dan verwacht.",
    2: "Veel beter dan verwacht.",
}
REVIEW_REMARKS = (
    "Graag bespreken hoe het netwerk meer kan worden ingezet.",
    "De scores passen niet bij de samenvatting; graag toelichten in een overleg.",
    "Ik mis de inbreng van de inwoner zelf. Laten we een gesprek plannen.",
    "Is de intensiteit nog passend? Graag bespreken voor de volgende evaluatie.",
)
CLAIM_REFUSALS = (
    "Het resultaat is volgens de eindevaluatie niet behaald; dien opnieuw in naar rato.",
    "De einddatum zorg wijkt af van wat met de gids is afgesproken.",
    "Declaratie betreft een periode waarin de zorg was onderbroken; graag corrigeren.",
)
SCALING_REASONS: dict[bool, tuple[str, ...]] = {
    True: (  # up
        "De situatie thuis is verslechterd; met de huidige inzet zijn de resultaten niet haalbaar.",
        "Mantelzorger valt weg door ziekte; er is tijdelijk meer ondersteuning nodig.",
        "Uit de evaluatie blijkt dat de problemen groter zijn dan bij de start ingeschat.",
    ),
    False: (  # down
        "Het gaat duidelijk beter; de inwoner pakt veel zelf op en het netwerk helpt mee.",
        "Doelen zijn grotendeels behaald; een lichtere inzet volstaat voor de rest van de termijn.",
    ),
}

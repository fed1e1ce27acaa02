"""Each alignment rule on short news-style texts, with the model's output written out by hand.

Mentions here are what spaCy could have produced (including its usual mistakes: a surname tagged
NORP, a first name tagged GPE), so every rule is tested without loading the model.
"""

from __future__ import annotations

import gc
import json
import random
import re

from pipeline.align import align
from pipeline.spans import one_line
from pipeline.ingest import make_document
from pipeline.schema import Mention, mention_id
from pipeline.align.sweep import Sweeper


def doc(doc_id: str, text: str):
    return make_document(doc_id, f"{doc_id}.txt", text)


def tagged(d, *spans: tuple[str, str]) -> list[Mention]:
    """Mentions for (surface, label) pairs, found left to right in the text as the model would tag them."""
    out, pos = [], 0
    for surface, label in spans:
        m = re.compile(re.escape(surface)).search(d.text, pos)
        assert m, (surface, d.doc_id)
        out.append(Mention(d.doc_id, mention_id(d.doc_id, m.start(), m.end()), m.start(), m.end(), surface,
                           label, "", 0, model_label=label))
        pos = m.end()
    return out


def run(*docs_and_mentions):
    docs = [d for d, _ in docs_and_mentions]
    mentions = [m for _, ms in docs_and_mentions for m in ms]
    sentences = {d.doc_id: [(m.start(), m.end()) for m in re.finditer(r"[^.!?\n]+[.!?]?", d.text)] for d in docs}
    return align(docs, mentions, sentences)


def entity_of(mentions, doc_id: str, text: str) -> str:
    ids = {m.entity_id for m in mentions if m.doc_id == doc_id and m.text == text}
    assert len(ids) == 1, (doc_id, text, ids)
    return ids.pop()


# -- within a document --------------------------------------------------------------------------

def test_surname_and_title_resolve_to_full_name_and_take_its_label():
    d = doc("a", "Abdel Rahman Akkad entered the store at 5.30 pm. Police said Akkad fired four shots. "
                 "Mr. Akkad died the following day.")
    mentions, entities = run((d, tagged(d, ("Abdel Rahman Akkad", "PERSON"), ("Akkad", "PRODUCT"), ("Mr. Akkad", "PERSON"))))
    assert len({m.entity_id for m in mentions}) == 1
    assert {m.label for m in mentions} == {"PERSON"}
    assert [m.model_label for m in mentions] == ["PERSON", "PRODUCT", "PERSON"]  # the model's label is kept
    assert entities[0].name == "Abdel Rahman Akkad"
    assert sorted(entities[0].aliases) == ["Abdel Rahman Akkad", "Akkad", "Mr. Akkad"]


def test_multiword_surname_and_model_label_noise():
    d = doc("a", "The screenplay is by Simon de Waal, a police detective. Boermans and de Waal offer an almost "
                 "documentary approach, and Bobby Boermans directs.")
    ms = tagged(d, ("Simon de Waal", "PERSON"), ("Boermans", "NORP"), ("de Waal", "PERSON"), ("Bobby Boermans", "PERSON"))
    mentions, _ = run((d, ms))
    assert entity_of(mentions, "a", "de Waal") == entity_of(mentions, "a", "Simon de Waal")
    assert entity_of(mentions, "a", "Boermans") == entity_of(mentions, "a", "Bobby Boermans")
    assert entity_of(mentions, "a", "Boermans") != entity_of(mentions, "a", "de Waal")
    assert {m.label for m in mentions} == {"PERSON"}


def test_first_name_only_where_unambiguous():
    d = doc("a", "Sydney Flaherty is a national writer. Beyond work, Sydney is a junior at Emerson College.")
    mentions, _ = run((d, tagged(d, ("Sydney Flaherty", "PERSON"), ("Sydney", "GPE"), ("Emerson College", "ORG"))))
    assert entity_of(mentions, "a", "Sydney") == entity_of(mentions, "a", "Sydney Flaherty")

    two = doc("b", "Sydney Flaherty and Sydney Jones wrote it. Later Sydney left the paper.")
    mentions, _ = run((two, tagged(two, ("Sydney Flaherty", "PERSON"), ("Sydney Jones", "PERSON"), ("Sydney", "PERSON"))))
    short = entity_of(mentions, "b", "Sydney")
    assert short not in {entity_of(mentions, "b", "Sydney Flaherty"), entity_of(mentions, "b", "Sydney Jones")}


def test_case_variants_and_facility_head_word():
    d = doc("a", "A gunman entered an Apple Store in Amsterdam. Hostages hid inside the Apple store for hours.")
    mentions, entities = run((d, tagged(d, ("Apple Store", "ORG"), ("Amsterdam", "GPE"), ("Apple", "ORG"))))
    store = [m for m in mentions if m.text.lower() == "apple store"]
    assert len(store) == 2, [m.text for m in mentions]  # the sweep found "Apple store" over the model's "Apple"
    assert len({m.entity_id for m in store}) == 1 and {m.label for m in store} == {"FAC"}
    assert not any(m.text == "Apple" for m in mentions)


def test_acronym_and_legal_form_within_and_across_documents():
    a = doc("a", "Advanced Micro Devices Inc said on Wednesday it would buy SeaMicro. AMD will pay $334 million.")
    b = doc("b", "Chipmaker AMD has agreed to acquire SeaMicro, a server start-up.")
    mentions, _ = run((a, tagged(a, ("Advanced Micro Devices Inc", "ORG"), ("SeaMicro", "ORG"), ("AMD", "ORG"))),
                      (b, tagged(b, ("AMD", "ORG"), ("SeaMicro", "ORG"))))
    amd = entity_of(mentions, "a", "Advanced Micro Devices Inc")
    assert entity_of(mentions, "a", "AMD") == amd == entity_of(mentions, "b", "AMD")


def test_headline_words_are_cut_out_of_names():
    a = doc("a", "AMD Buys Server Maker SeaMicro\nThe chipmaker said it buys the maker of servers. SeaMicro is small.")
    ms = tagged(a, ("AMD", "ORG"), ("Buys Server Maker SeaMicro", "PERSON"), ("SeaMicro", "ORG"))
    mentions, _ = run((a, ms))
    assert "Buys Server Maker SeaMicro" not in {m.text for m in mentions}
    assert len({m.entity_id for m in mentions if m.text == "SeaMicro"}) == 1


def test_span_across_line_break_keeps_the_name_line():
    text = "index. html\nEllen DeGeneres to host 2014 Oscars"
    start, end = one_line(text, 7, 27)
    assert text[start:end] == "Ellen DeGeneres"


# -- label repair across the corpus -------------------------------------------------------------

def test_corpus_majority_label_repairs_a_documents_label():
    docs = [doc(f"d{i}", f"Officers said Akkad demanded money on day {i}.") for i in range(4)]
    labels = ["PERSON", "PERSON", "PERSON", "NORP"]
    mentions, entities = run(*[(d, tagged(d, ("Akkad", lab))) for d, lab in zip(docs, labels)])
    assert {m.label for m in mentions} == {"PERSON"}
    assert len(entities) == 1 and entities[0].n_docs == 4
    assert sorted(m.model_label for m in mentions) == ["NORP", "PERSON", "PERSON", "PERSON"]


def test_a_person_name_written_as_a_service_and_tagged_one_somewhere_is_that_thing():
    # The model's usual mistake on a one-word service: PERSON, unanimously in two documents.
    a = doc("a", "The councilman said on Twitter that the protest was peaceful. Later he wrote on Twitter again.")
    b = doc("b", "DeGeneres announced the news on Twitter on Friday.")
    c = doc("c", "The company confirmed the outage on its Twitter account.")
    mentions, entities = run((a, tagged(a, ("Twitter", "PERSON"), ("Twitter", "PERSON"))),
                             (b, tagged(b, ("DeGeneres", "PERSON"), ("Twitter", "PERSON"))),
                             (c, tagged(c, ("Twitter", "PRODUCT"))))
    assert {m.label for m in mentions if m.text == "Twitter"} == {"PRODUCT"}
    assert len({m.entity_id for m in mentions if m.text == "Twitter"}) == 1
    assert {m.label for m in mentions if m.text == "DeGeneres"} == {"PERSON"}


def test_a_person_the_model_once_tags_a_thing_stays_a_person_without_thing_cues():
    docs = [doc(f"d{i}", f"Officers said Akkad demanded money on day {i}. Akkad fled.") for i in range(3)]
    labels = [("PERSON", "PERSON"), ("PERSON", "PERSON"), ("PRODUCT", "PRODUCT")]
    mentions, _ = run(*[(d, tagged(d, ("Akkad", x), ("Akkad", y))) for d, (x, y) in zip(docs, labels)])
    assert {m.label for m in mentions if m.doc_id != "d2"} == {"PERSON"}


def test_a_name_whose_plural_is_an_award_is_the_award_even_where_a_document_says_person():
    a = doc("a", "Jackman will host the Oscars in February. The Oscars are watched by millions. The Oscars end late.")
    b = doc("b", "Oscar organizers chose Jackman. Oscar producers were pleased. Oscar night is long.")
    c = doc("c", "The director is an Oscar winner.")
    mentions, _ = run((a, tagged(a, ("Jackman", "PERSON"), ("Oscars", "ORG"), ("Oscars", "ORG"), ("Oscars", "ORG"))),
                      (b, tagged(b, ("Oscar", "PERSON"), ("Jackman", "PERSON"), ("Oscar", "PERSON"), ("Oscar", "PERSON"))),
                      (c, tagged(c, ("Oscar", "WORK_OF_ART"))))
    assert {m.label for m in mentions if m.text == "Oscar"} == {"ORG"}  # b's unanimous PERSON overruled


def test_a_first_name_whose_plural_is_a_team_stays_a_person():
    # "Angels" the team says nothing about "Angel" unless the model also tagged "Angel" a thing somewhere.
    a = doc("a", "The Angels offered Teixeira eight years. The Angels lost.")
    b = doc("b", "Angel said the offer was fair, and Angel left.")
    mentions, _ = run((a, tagged(a, ("Angels", "ORG"), ("Teixeira", "PERSON"), ("Angels", "ORG"))),
                      (b, tagged(b, ("Angel", "PERSON"), ("Angel", "PERSON"))))
    assert {m.label for m in mentions if m.text == "Angel"} == {"PERSON"}


def test_a_ministry_and_its_short_and_inverted_forms_join_across_documents_that_share_names():
    a = doc("a", "Interior Secretary Ken Salazar said the Interior Department would review the rule. "
                 "Polar bears and the Endangered Species Act were discussed.")
    b = doc("b", "Separately, Interior issued a finding on polar bears. Ken Salazar signed it.")
    c = doc("c", "The Department of the Interior listed polar bears under the Endangered Species Act.")
    d = doc("d", "The Interior Ministry of Iraq said Baghdad was calm.")
    mentions, _ = run((a, tagged(a, ("Interior", "ORG"), ("Ken Salazar", "PERSON"), ("Interior Department", "ORG"),
                                 ("Endangered Species Act", "LAW"))),
                      (b, tagged(b, ("Interior", "ORG"), ("Ken Salazar", "PERSON"))),
                      (c, tagged(c, ("Department of the Interior", "ORG"), ("Endangered Species Act", "LAW"))),
                      (d, tagged(d, ("Interior Ministry", "ORG"), ("Iraq", "GPE"), ("Baghdad", "GPE"))))
    department = entity_of(mentions, "a", "Interior Department")
    assert entity_of(mentions, "a", "Interior") == department  # one document writes both forms
    assert entity_of(mentions, "b", "Interior") == department  # shares Ken Salazar with it
    assert entity_of(mentions, "c", "Department of the Interior") == department  # shares the Act
    assert entity_of(mentions, "d", "Interior Ministry") != department  # another body, nothing shared


def test_singular_and_plural_of_one_thing_join_only_with_shared_names():
    a = doc("a", "Jackman will host the Oscars. The Academy chose him after Ellen DeGeneres declined.")
    b = doc("b", "The Academy said the Oscar ceremony, hosted by Jackman, runs long. Oscar producers agreed.")
    # The newspaper and the magazine share one name (Texas): not enough for two spellings of a name.
    c = doc("c", "Industry experts in Texas told the Times that two cables failed.")
    e = doc("e", "Hoole told TIME that the community in Texas was scapegoated.")
    mentions, _ = run((a, tagged(a, ("Jackman", "PERSON"), ("Oscars", "ORG"), ("Academy", "ORG"), ("Ellen DeGeneres", "PERSON"))),
                      (b, tagged(b, ("Academy", "ORG"), ("Oscar", "ORG"), ("Jackman", "PERSON"), ("Oscar", "ORG"))),
                      (c, tagged(c, ("Texas", "GPE"), ("Times", "ORG"))),
                      (e, tagged(e, ("Hoole", "PERSON"), ("TIME", "ORG"), ("Texas", "GPE"))))
    assert entity_of(mentions, "a", "Oscars") == entity_of(mentions, "b", "Oscar")
    assert entity_of(mentions, "c", "Times") != entity_of(mentions, "e", "TIME")


def test_an_acronym_without_its_expansion_in_its_document_does_not_join_a_name_with_those_initials():
    # "AP" the news agency, in a story that shares a name (Weitz) with one about the film: the
    # initials of "American Pie" alone are no evidence.
    a = doc("a", "Chris Weitz directed American Pie in 1999. Weitz went on to write About a Boy.")
    b = doc("b", "Chris Weitz told AP on Tuesday that the sequel was finished.")
    mentions, _ = run((a, tagged(a, ("Chris Weitz", "PERSON"), ("American Pie", "WORK_OF_ART"), ("Weitz", "PERSON"),
                                 ("About a Boy", "WORK_OF_ART"))),
                      (b, tagged(b, ("Chris Weitz", "PERSON"), ("AP", "ORG"))))
    assert entity_of(mentions, "b", "AP") != entity_of(mentions, "a", "American Pie")


def test_an_acronym_joins_the_expansion_a_document_writes_it_after():
    a = doc("a", "The American Medical Association (AMA) said doctors in Chicago backed the plan. The AMA will vote.")
    b = doc("b", "Doctors in Chicago said the AMA opposed the change.")
    mentions, _ = run((a, tagged(a, ("American Medical Association", "ORG"), ("AMA", "ORG"), ("Chicago", "GPE"),
                                 ("AMA", "ORG"))),
                      (b, tagged(b, ("Chicago", "GPE"), ("AMA", "ORG"))))
    expansion = entity_of(mentions, "a", "American Medical Association")
    assert {m.entity_id for m in mentions if m.text == "AMA"} == {expansion}


def test_an_acronym_joins_a_place_the_gazetteer_says_it_is():
    # No document writes "UK" beside "United Kingdom": the gazetteer's country codes say they are one.
    a = doc("a", "Exports from the United Kingdom fell, the Bank of England said in London.")
    b = doc("b", "Prices in the UK rose again, London traders said.")
    mentions, _ = run((a, tagged(a, ("United Kingdom", "GPE"), ("Bank of England", "ORG"), ("London", "GPE"))),
                      (b, tagged(b, ("UK", "GPE"), ("London", "GPE"))))
    assert entity_of(mentions, "b", "UK") == entity_of(mentions, "a", "United Kingdom")


def test_an_acronym_whose_expansion_only_unrelated_documents_write_stays_apart():
    # "CIA" the agency, in a story sharing two names with one about the cooking school: two shared
    # names are no evidence that the initials are that name's (no document writes them together).
    a = doc("a", "The Culinary Institute of America opened a campus in Hyde Park, near Poughkeepsie.")
    b = doc("b", "CIA agents questioned a man in Hyde Park and searched a house in Poughkeepsie.")
    mentions, _ = run((a, tagged(a, ("Culinary Institute of America", "ORG"), ("Hyde Park", "GPE"),
                                 ("Poughkeepsie", "GPE"))),
                      (b, tagged(b, ("CIA", "ORG"), ("Hyde Park", "GPE"), ("Poughkeepsie", "GPE"))))
    assert entity_of(mentions, "b", "Hyde Park") == entity_of(mentions, "a", "Hyde Park")  # the context is shared
    assert entity_of(mentions, "b", "CIA") != entity_of(mentions, "a", "Culinary Institute of America")


def test_initials_evidence_is_the_document_or_the_gazetteer_never_the_letters():
    from pipeline.align.cluster import initials_evidence

    assert initials_evidence("ama", "american medical association", {"american medical association", "chicago"})
    assert not initials_evidence("ama", "american medical association", {"chicago"})
    assert initials_evidence("uk", "united kingdom", set())
    assert initials_evidence("nyc", "new york city", set())
    assert not initials_evidence("la", "los angeles", set())  # also Louisiana, Laos: the code does not decide
    assert not initials_evidence("ap", "american pie", {"chris weitz"})


# -- recall repair ------------------------------------------------------------------------------

def test_sweep_finds_names_the_model_missed_with_exact_provenance():
    a = doc("a", "The film was directed by Bobby Boermans in Amsterdam.")
    b = doc("b", "Critics in Amsterdam liked it. Boermans said the film was simplified.")
    mentions, _ = run((a, tagged(a, ("Bobby Boermans", "PERSON"), ("Amsterdam", "GPE"))), (b, []))
    found = [m for m in mentions if m.doc_id == "b"]
    assert [(m.text, m.origin, m.label, m.model_label) for m in found] == [
        ("Amsterdam", "sweep", "GPE", None), ("Boermans", "sweep", "PERSON", None)]
    m = found[1]
    assert b.text[m.start_char : m.end_char] == "Boermans"
    assert m.mention_id == mention_id("b", m.start_char, m.end_char)
    assert m.sentence == "Boermans said the film was simplified."
    assert m.entity_id == entity_of(mentions, "a", "Bobby Boermans")


def test_sweep_guards_against_common_words():
    a = doc("a", "Lohan checked into Promises in Malibu. She promises to stay for 90 days.")
    b = doc("b", "Promises were made. Judge Sautner set the term; Lohan agreed.")
    mentions, _ = run((a, tagged(a, ("Lohan", "PERSON"), ("Promises", "FAC"), ("Malibu", "GPE"))), (b, []))
    swept = {m.text for m in mentions if m.doc_id == "b"}
    assert "Lohan" in swept
    assert "Promises" not in swept  # "promises" is an ordinary word in this corpus


def test_sweeper_finds_a_phrase_whatever_its_first_token_looks_like():
    """The sweep looks only at tokens that can start a phrase; a lowercase word or a symbol can too."""
    text = "Shares of eBay rose. The de Beers deal and the #MeToo movement, said Mr. O'Neil."
    phrases = {("eBay",): "ORG", ("de", "Beers"): "ORG", ("#", "MeToo"): "EVENT", ("O", "'", "Neil"): "PERSON"}
    found = Sweeper(phrases).find(text, sentence_starts={0, 21})
    assert [(text[s:e], label) for s, e, label in found] == [
        ("eBay", "ORG"), ("de Beers", "ORG"), ("#MeToo", "EVENT"), ("O'Neil", "PERSON")]


def test_sweep_does_not_add_a_piece_of_a_longer_name():
    """"Prague" the model tagged is not swept inside "Prague Conservatory" or "pro-Prague" it did not tag."""
    a = doc("a", "Dvorak moved to Prague in 1890.")
    b = doc("b", "He taught at the Prague Conservatory. A pro-Prague group met. Later Prague honoured him.")
    mentions, _ = run((a, tagged(a, ("Dvorak", "PERSON"), ("Prague", "GPE"))), (b, []))
    swept = [b.text[m.start_char - 6 : m.end_char] for m in mentions if m.doc_id == "b"]
    assert swept == ["Later Prague"]


def test_place_the_model_calls_a_person_is_the_place():
    """The model tags a town PERSON most of the time, GPE once: its gazetteer name decides."""
    d = doc("a", "Fort Lee sits on the Hudson. Trains leave Fort Lee hourly. Many commuters live in Fort Lee.")
    ms = tagged(d, ("Fort Lee", "PERSON"), ("Fort Lee", "PERSON"), ("Fort Lee", "GPE"))
    mentions, _ = run((d, ms))
    assert {m.label for m in mentions} == {"GPE"}


def test_a_person_with_a_place_name_stays_a_person():
    """Without a place vote, or with a title before the name, or spelt unlike the place, a person stays one."""
    a = doc("a", "Fort Lee sits on the Hudson. Trains leave Fort Lee hourly.")
    b = doc("b", "Gloria sang. Then Gloria left for Boston.")
    c = doc("c", "Mayor Fort Lee spoke. Later Fort Lee left.")
    mentions, _ = run((a, tagged(a, ("Fort Lee", "PERSON"), ("Fort Lee", "PERSON"))),
                      (b, tagged(b, ("Gloria", "PERSON"), ("Gloria", "GPE"), ("Boston", "GPE"))),
                      (c, tagged(c, ("Mayor Fort Lee", "PERSON"), ("Fort Lee", "GPE"))))
    assert {m.label for m in mentions if m.text != "Boston"} == {"PERSON"}


def test_a_place_does_not_join_a_person_whose_name_ends_in_an_ordinary_word():
    """Nor does it join a "person" ending in an ordinary word: the model's PERSON there is a place beside a title."""
    d = doc("a", "Virginia Governors met. Voters in Virginia, Virginia and again Virginia. Two governors spoke.")
    ms = tagged(d, ("Virginia Governors", "PERSON"), ("Virginia", "GPE"), ("Virginia", "GPE"), ("Virginia", "GPE"))
    mentions, _ = run((d, ms))
    assert {m.label for m in mentions if m.text == "Virginia"} == {"GPE"}


# -- across documents: join and keep apart -------------------------------------------------------

def test_same_surname_different_first_names_stay_apart():
    a = doc("a", "Tony Thompson lost the fight in Hamburg to Wladimir Klitschko. Klitschko won in six. "
                 "Klitschko kept his belts.")
    b = doc("b", "Hunter Thompson wrote about Las Vegas.")
    c = doc("c", "In Hamburg, Thompson was stopped by Klitschko in the sixth round.")
    mentions, _ = run((a, tagged(a, ("Tony Thompson", "PERSON"), ("Hamburg", "GPE"), ("Wladimir Klitschko", "PERSON"),
                                 ("Klitschko", "PERSON"), ("Klitschko", "PERSON"))),
                      (b, tagged(b, ("Hunter Thompson", "PERSON"), ("Las Vegas", "GPE"))),
                      (c, tagged(c, ("Hamburg", "GPE"), ("Thompson", "PERSON"), ("Klitschko", "NORP"))))
    tony, hunter = entity_of(mentions, "a", "Tony Thompson"), entity_of(mentions, "b", "Hunter Thompson")
    assert tony != hunter
    assert entity_of(mentions, "c", "Thompson") == tony  # context: Hamburg and Klitschko
    assert entity_of(mentions, "c", "Klitschko") == entity_of(mentions, "a", "Wladimir Klitschko")


def test_surname_without_shared_context_is_not_guessed():
    a = doc("a", "George Bush spoke in Washington about the budget.")
    b = doc("b", "Reggie Bush ran for 100 yards for the Saints.")
    c = doc("c", "Bush scored twice against the Colts in Indianapolis.")
    mentions, _ = run((a, tagged(a, ("George Bush", "PERSON"), ("Washington", "GPE"))),
                      (b, tagged(b, ("Reggie Bush", "PERSON"), ("Saints", "ORG"))),
                      (c, tagged(c, ("Bush", "PERSON"), ("Colts", "ORG"), ("Indianapolis", "GPE"))))
    bush = entity_of(mentions, "c", "Bush")
    assert bush not in {entity_of(mentions, "a", "George Bush"), entity_of(mentions, "b", "Reggie Bush")}


def test_person_and_place_of_the_same_name_stay_apart():
    a = doc("a", "Jordan scored 40 points. Jordan was unstoppable. Jordan smiled.")
    b = doc("b", "Refugees crossed into Jordan. Jordan closed its border. Aid reached Jordan.")
    mentions, entities = run((a, tagged(a, ("Jordan", "PERSON"), ("Jordan", "PERSON"), ("Jordan", "PERSON"))),
                             (b, tagged(b, ("Jordan", "GPE"), ("Jordan", "GPE"), ("Jordan", "GPE"))))
    assert entity_of(mentions, "a", "Jordan") != entity_of(mentions, "b", "Jordan")
    assert {e.label for e in entities} == {"PERSON", "GPE"}


def test_film_character_is_not_the_real_person():
    a = doc("a", "Steve Jobs founded Apple in California.")
    b = doc("b", "In the film about Apple, Michael Fassbender, as Steve Jobs, dominates every scene.")
    c = doc("c", "Michael Fassbender plays Steve Jobs in a film about Apple.")
    mentions, _ = run((a, tagged(a, ("Steve Jobs", "PERSON"), ("Apple", "ORG"), ("California", "GPE"))),
                      (b, tagged(b, ("Apple", "ORG"), ("Michael Fassbender", "PERSON"), ("Steve Jobs", "PERSON"))),
                      (c, tagged(c, ("Michael Fassbender", "PERSON"), ("Steve Jobs", "PERSON"), ("Apple", "ORG"))))
    real = entity_of(mentions, "a", "Steve Jobs")
    role = entity_of(mentions, "b", "Steve Jobs")
    assert role != real and entity_of(mentions, "c", "Steve Jobs") == role
    assert entity_of(mentions, "b", "Michael Fassbender") == entity_of(mentions, "c", "Michael Fassbender")


def test_spelling_variants_join_only_with_shared_context():
    a = doc("a", "Duncan Rait died on Mount Cook, New Zealand police said.")
    b = doc("b", "Climber Duncan Raite fell on Mount Cook.")
    c = doc("c", "Duncan Raite opened a bakery in Leeds.")
    mentions, _ = run((a, tagged(a, ("Duncan Rait", "PERSON"), ("Mount Cook", "LOC"), ("New Zealand", "GPE"))),
                      (b, tagged(b, ("Duncan Raite", "PERSON"), ("Mount Cook", "LOC"))),
                      (c, tagged(c, ("Duncan Raite", "PERSON"), ("Leeds", "GPE"))))
    assert entity_of(mentions, "a", "Duncan Rait") == entity_of(mentions, "b", "Duncan Raite")


def test_first_name_forms_and_middle_initials_join():
    a = doc("a", "Fred LaRue, a Watergate figure, died in Biloxi.")
    b = doc("b", "Frederick C. LaRue was found dead in Biloxi, Watergate papers show.")
    c = doc("c", "Frank LaRue spoke in Biloxi about Watergate.")
    ms = [(a, tagged(a, ("Fred LaRue", "PERSON"), ("Watergate", "EVENT"), ("Biloxi", "GPE"))),
          (b, tagged(b, ("Frederick C. LaRue", "PERSON"), ("Biloxi", "GPE"), ("Watergate", "EVENT"))),
          (c, tagged(c, ("Frank LaRue", "PERSON"), ("Biloxi", "GPE"), ("Watergate", "EVENT")))]
    mentions, _ = run(*ms)
    fred = entity_of(mentions, "a", "Fred LaRue")
    assert entity_of(mentions, "b", "Frederick C. LaRue") == fred
    assert entity_of(mentions, "c", "Frank LaRue") != fred  # "Frank" is not a form of "Frederick"


# -- stable ids ---------------------------------------------------------------------------------

def _corpus():
    a = doc("a", "Abdel Rahman Akkad held hostages in an Apple Store in Amsterdam. Akkad died.")
    b = doc("b", "Police in Amsterdam said Akkad had fake explosives.")
    c = doc("c", "Netflix released iHostage, directed by Bobby Boermans, about the Amsterdam siege.")
    return [(a, tagged(a, ("Abdel Rahman Akkad", "PERSON"), ("Apple Store", "ORG"), ("Amsterdam", "GPE"), ("Akkad", "PERSON"))),
            (b, tagged(b, ("Amsterdam", "GPE"), ("Akkad", "PRODUCT"))),
            (c, tagged(c, ("Netflix", "ORG"), ("iHostage", "WORK_OF_ART"), ("Bobby Boermans", "PERSON"), ("Amsterdam", "GPE")))]


def _ids(corpus) -> dict[str, str]:
    mentions, _ = run(*corpus)
    return {m.mention_id: m.entity_id for m in mentions}


def test_entity_ids_do_not_depend_on_order_or_run():
    corpus = _corpus()
    first = _ids(corpus)
    shuffled = [(d, list(reversed(ms))) for d, ms in reversed(_corpus())]
    random.Random(1).shuffle(shuffled)
    assert _ids(shuffled) == first
    assert _ids(_corpus()) == first


def test_entity_ids_survive_new_documents():
    before = _ids(_corpus()[:2])
    after = _ids(_corpus())
    assert all(after[k] == v for k, v in before.items())


# -- the cycle collector, paused while alignment runs -------------------------------------------

def test_alignment_leaves_the_cycle_collector_as_it_found_it():
    assert gc.isenabled()
    run(*_corpus())
    assert gc.isenabled()
    gc.disable()
    try:
        run(*_corpus())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_stop_words_read_from_spacys_file_equal_the_imported_list():
    """names.STOP_WORDS is read from spaCy's data file without importing spaCy; it must be the list itself."""
    import subprocess
    import sys

    from spacy.lang.en.stop_words import STOP_WORDS as imported

    code = ("import json, sys; from pipeline.align.names import STOP_WORDS; "
            "print(json.dumps(['spacy' in sys.modules, sorted(STOP_WORDS)]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    spacy_imported, words = json.loads(out)
    assert not spacy_imported  # read from the file, not imported
    assert words == sorted(imported)
    from pipeline.align import names

    assert names._spacy_stop_words() == frozenset(imported)  # the file read, in this process too

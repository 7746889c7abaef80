"""The one taxonomy every rule and plugin reports against.

The 18 techniques of the Propaganda Techniques Corpus (Da San Martino et al., EMNLP 2019;
SemEval-2020 Task 11), plus framecheck's own devices that news-desk users asked for.
``corpus_label`` is the label the corpus uses after its authors merged rare classes, so that
evaluations can map framecheck techniques onto gold spans.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Technique:
    id: str
    name: str
    definition: str
    corpus_label: str | None
    origin: str = "ptc"


LEARNED_TECHNIQUE = "learned-framing"  # what the learned layer reports: a span, no named device
CONCEALMENT_TECHNIQUE = "concealment"  # a word written so that checkers miss it

_TECHNIQUES = (
    Technique(
        "loaded-language",
        "Loaded language",
        "Words or phrases with strong emotional connotations used to sway the reader.",
        "Loaded_Language",
    ),
    Technique(
        "name-calling",
        "Name calling, labelling",
        "Labelling the object of the story as something the audience fears, hates or admires.",
        "Name_Calling,Labeling",
    ),
    Technique(
        "repetition",
        "Repetition",
        "Repeating the same message over and over so that the audience accepts it.",
        "Repetition",
    ),
    Technique(
        "exaggeration",
        "Exaggeration, minimisation",
        "Representing something as larger, better or worse than it is, or downplaying it.",
        "Exaggeration,Minimisation",
    ),
    Technique(
        "doubt",
        "Doubt",
        "Questioning the credibility of someone or something without evidence.",
        "Doubt",
    ),
    Technique(
        "appeal-to-fear",
        "Appeal to fear, prejudice",
        "Building support for an idea by instilling anxiety or panic about an alternative.",
        "Appeal_to_fear-prejudice",
    ),
    Technique(
        "flag-waving",
        "Flag-waving",
        "Playing on strong national or group feeling to justify or promote an action or idea.",
        "Flag-Waving",
    ),
    Technique(
        "causal-oversimplification",
        "Causal oversimplification",
        "Assuming one cause or reason when there are many behind an issue.",
        "Causal_Oversimplification",
    ),
    Technique(
        "slogans",
        "Slogans",
        "A brief, striking phrase that may include labelling and stereotyping.",
        "Slogans",
    ),
    Technique(
        "appeal-to-authority",
        "Appeal to authority",
        "Stating that a claim is true because an authority or expert says so, without evidence.",
        "Appeal_to_Authority",
    ),
    Technique(
        "black-and-white",
        "Black-and-white fallacy, dictatorship",
        "Presenting two alternatives as the only possibilities when more exist.",
        "Black-and-White_Fallacy",
    ),
    Technique(
        "thought-terminating-cliche",
        "Thought-terminating cliché",
        "Words or phrases that discourage critical thought and discussion of a topic.",
        "Thought-terminating_Cliches",
    ),
    Technique(
        "whataboutism",
        "Whataboutism",
        "Discrediting a position by charging the opponent with hypocrisy instead of answering.",
        "Whataboutism,Straw_Men,Red_Herring",
    ),
    Technique(
        "reductio-ad-hitlerum",
        "Reductio ad Hitlerum",
        "Rejecting an idea by suggesting it is popular with groups the audience hates.",
        "Bandwagon,Reductio_ad_hitlerum",
    ),
    Technique(
        "red-herring",
        "Red herring",
        "Introducing irrelevant material to divert attention from the issue being discussed.",
        "Whataboutism,Straw_Men,Red_Herring",
    ),
    Technique(
        "bandwagon",
        "Bandwagon",
        "Persuading the audience to join in because everyone else is doing so.",
        "Bandwagon,Reductio_ad_hitlerum",
    ),
    Technique(
        "obfuscation",
        "Obfuscation, intentional vagueness, confusion",
        "Deliberately unclear wording that lets the audience read in its own meaning.",
        None,
    ),
    Technique(
        "straw-man",
        "Straw man",
        "Replacing an opponent's position with a weaker one that is easier to refute.",
        "Whataboutism,Straw_Men,Red_Herring",
    ),
    Technique(
        "unsourced-attribution",
        "Unsourced attribution",
        "A claim presented on the word of an unnamed source ('it has been reported', 'sources say').",
        None,
        origin="framecheck",
    ),
    Technique(
        "distrust-call",
        "Call to distrust other sources",
        "Telling the audience to disbelieve other outlets or to trust only this one.",
        None,
        origin="framecheck",
    ),
    Technique(
        CONCEALMENT_TECHNIQUE,
        "Concealed wording",
        "Writing a word with invisible characters or look-alike letters so that filters and checkers miss it.",
        None,
        origin="framecheck",
    ),
    Technique(
        LEARNED_TECHNIQUE,
        "Learned framing",
        "A passage that a model trained on labelled articles takes for propaganda, where no rule names the device.",
        None,
        origin="framecheck",
    ),
)

TECHNIQUES: dict[str, Technique] = {t.id: t for t in _TECHNIQUES}


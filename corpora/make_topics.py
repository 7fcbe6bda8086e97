"""Write ``topics.jsonl``: short labelled texts over six topics, made by us.

The texts are composed from topic word lists and sentence templates with a
fixed seed, so the file is reproducible: ``python corpora/make_topics.py``.
They are small and clean on purpose (for the demo and doctests), not a
benchmark: use ../shared/corpora for real measurements.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

TOPICS: dict[str, dict[str, list[str]]] = {
    "sports": {
        "noun": [
            "team",
            "coach",
            "match",
            "league",
            "goal",
            "season",
            "striker",
            "referee",
            "stadium",
            "championship",
            "playoff",
            "goalkeeper",
        ],
        "verb": [
            "won",
            "lost",
            "scored",
            "defended",
            "trained",
            "tackled",
            "qualified",
            "celebrated",
        ],
        "adj": ["defensive", "unbeaten", "injured", "relegated", "fastest"],
        "name": ["Rovers", "United", "the Tigers", "Real Oviedo", "the Lakers"],
    },
    "cooking": {
        "noun": [
            "recipe",
            "oven",
            "dough",
            "sauce",
            "garlic",
            "onion",
            "butter",
            "skillet",
            "broth",
            "pastry",
            "spice",
            "flour",
        ],
        "verb": [
            "baked",
            "simmered",
            "roasted",
            "chopped",
            "seasoned",
            "whisked",
            "kneaded",
            "grilled",
        ],
        "adj": ["crispy", "savory", "tender", "caramelized", "spicy"],
        "name": ["Julia", "the bakery", "Chef Marco", "grandma", "the bistro"],
    },
    "space": {
        "noun": [
            "orbit",
            "rocket",
            "telescope",
            "galaxy",
            "planet",
            "astronaut",
            "satellite",
            "comet",
            "launch",
            "nebula",
            "probe",
            "moon",
        ],
        "verb": [
            "launched",
            "observed",
            "orbited",
            "landed",
            "detected",
            "photographed",
            "docked",
            "measured",
        ],
        "adj": ["interstellar", "lunar", "orbital", "distant", "gravitational"],
        "name": ["NASA", "the ESA", "Hubble", "Voyager", "Cassini"],
    },
    "computing": {
        "noun": [
            "compiler",
            "kernel",
            "database",
            "server",
            "network",
            "cache",
            "software",
            "processor",
            "algorithm",
            "debugger",
            "thread",
            "query",
        ],
        "verb": [
            "compiled",
            "crashed",
            "installed",
            "rebooted",
            "optimized",
            "indexed",
            "deployed",
            "debugged",
        ],
        "adj": ["parallel", "encrypted", "virtual", "corrupted", "scalable"],
        "name": ["Linux", "the admin", "Postgres", "the build farm", "Alice"],
    },
    "medicine": {
        "noun": [
            "patient",
            "doctor",
            "vaccine",
            "symptom",
            "clinic",
            "surgery",
            "diagnosis",
            "nurse",
            "infection",
            "therapy",
            "dose",
            "hospital",
        ],
        "verb": [
            "treated",
            "diagnosed",
            "prescribed",
            "recovered",
            "examined",
            "vaccinated",
            "operated",
            "monitored",
        ],
        "adj": ["chronic", "clinical", "contagious", "painful", "intensive"],
        "name": ["Dr. Okafor", "the ward", "the WHO", "the surgeon", "Maria"],
    },
    "finance": {
        "noun": [
            "market",
            "stock",
            "investor",
            "bond",
            "dividend",
            "bank",
            "inflation",
            "loan",
            "portfolio",
            "currency",
            "budget",
            "interest",
        ],
        "verb": [
            "invested",
            "borrowed",
            "traded",
            "rallied",
            "slumped",
            "audited",
            "hedged",
            "refinanced",
        ],
        "adj": ["volatile", "bullish", "profitable", "indebted", "quarterly"],
        "name": ["the Fed", "Wall Street", "the broker", "Goldman", "the ECB"],
    },
}

TEMPLATES = [
    "The {noun} {verb} after the {adj} {noun2}.",
    "{name} {verb} the {noun} on {day}, and the {noun2} looked {adj}.",
    "Everyone was talking about the {adj} {noun} and the {noun2}.",
    "In {year} {name} {verb} {num} times, a record for any {noun}.",
    "Why would the {noun} be {adj} when the {noun2} is not?",
    "I think the {noun} {verb} because of the {noun2}.",
    "After {num} days the {noun} was still {adj}; {name} kept going.",
    "Rumours about the {noun} keep spreading, but the {noun2} {verb} anyway.",
]
DAYS = ["Monday", "Tuesday", "Friday", "Sunday", "the weekend"]
NEUTRAL = [
    "Nobody expected that.",
    "It was a long week for everyone involved.",
    "More details are expected on {day}.",
    "Some readers disagreed, others were surprised.",
    "The report came out in {year}.",
]
#: Chance that a slot takes a word of another topic, so topics overlap.
BORROW = 0.3


def make(seed: int = 8, per_topic: int = 60) -> list[dict[str, str]]:
    """Return the records, shuffled, with ids ``<topic>/<n>``."""
    rng = random.Random(seed)
    records = []
    for topic, words in TOPICS.items():
        for n in range(per_topic):
            sentences = []
            for _ in range(rng.randint(2, 4)):
                if rng.random() < 0.2:
                    sentences.append(
                        rng.choice(NEUTRAL).format(
                            day=rng.choice(DAYS), year=rng.randint(1950, 2025)
                        )
                    )
                    continue
                noun, noun2 = rng.sample(words["noun"], 2)
                if rng.random() < BORROW:
                    other = TOPICS[rng.choice([t for t in TOPICS if t != topic])]
                    noun2 = rng.choice(other["noun"])
                sentences.append(
                    rng.choice(TEMPLATES).format(
                        noun=noun,
                        noun2=noun2,
                        verb=rng.choice(words["verb"]),
                        adj=rng.choice(words["adj"]),
                        name=rng.choice(words["name"]),
                        day=rng.choice(DAYS),
                        year=rng.randint(1950, 2025),
                        num=rng.randint(2, 500),
                    )
                )
            text = " ".join(sentences)
            records.append(
                {
                    "id": f"{topic}/{n}",
                    "text": text[0].upper() + text[1:],
                    "label": topic,
                }
            )
    rng.shuffle(records)
    return records


if __name__ == "__main__":
    out = Path(__file__).with_name("topics.jsonl")
    with out.open("w", encoding="utf-8") as fh:
        for rec in make():
            fh.write(json.dumps(rec) + "\n")
    print(f"wrote {out}")

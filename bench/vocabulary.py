"""Words the benchmark network is written with.

The text only has to look like tips to the database and the search engine: varied enough that
indexes and ranking do real work, and built from blocks few enough to render each one once.
None of these words may stem like ``COMMON_WORD`` or ``RARE_WORD`` (Porter on SQLite, English on
PostgreSQL), or the search pages would not measure what the manifest says they measure.
"""

# In most tips' bodies: the search for it ranks tens of thousands of matches.
COMMON_WORD = "practice"
# In the question of a handful of tips only: the search for it is a cheap index lookup.
RARE_WORD = "quillwork"
RARE_TIPS = 5

TOPICS = [
    "Massage Therapy", "Home Gardening", "Personal Finance", "Home Cooking", "Dog Training",
    "Photography", "Running", "Woodworking", "Home Repair", "Baking", "Travel", "Parenting",
    "Yoga", "Cycling", "Coffee", "Beekeeping", "Sewing", "Fishing", "Hiking", "Chess",
    "Birdwatching", "Pottery", "Camping", "Aquariums", "Knitting",
]  # fmt: skip

ASPECTS = [
    "Basics", "Techniques", "Tools", "Safety", "Mistakes to Avoid", "for Beginners",
    "Advanced Skills", "on a Budget", "Through the Seasons", "and Health", "Gear Reviews",
    "History", "for Families", "Troubleshooting", "Myths", "Careers", "Planning",
    "Maintenance", "Quick Fixes", "Etiquette", "Shortcuts", "Checklists",
]  # fmt: skip

FIRST_NAMES = [
    "Ada", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hugo", "Iris", "Jonas", "Kemi",
    "Liam", "Maya", "Nico", "Olga", "Pablo", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor",
    "Wen", "Ximena", "Yusuf", "Zoe", "Anika", "Bruno", "Chloe", "Diego", "Esme", "Felix",
]  # fmt: skip

LAST_NAMES = [
    "Adler", "Baker", "Castro", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito",
    "Jensen", "Kowalski", "Laurent", "Moreau", "Nakamura", "Okafor", "Petrov", "Quint", "Rossi",
    "Silva", "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zimmer", "Novak", "Brennan",
]  # fmt: skip

NOUNS = [
    "routine", "schedule", "budget", "tool", "technique", "habit", "season", "surface", "stretch",
    "recipe", "garden", "pocket", "blade", "bench", "shoulder", "morning", "evening", "weekend",
    "lesson", "mistake", "pattern", "rhythm", "balance", "grip", "angle", "layer", "temperature",
    "texture", "method", "project", "checklist", "journal", "partner", "coach", "beginner",
    "expert", "workshop", "kitchen", "workbench", "backpack", "trail", "leash", "camera", "lens",
    "shutter", "saddle", "chain", "kettle", "grinder", "filter", "hive", "frame", "needle",
    "thread", "hook", "line", "board", "knot", "seed", "soil", "compost", "container", "window",
    "shelf", "drawer", "ladder", "brush", "sponge", "towel", "pillow", "posture", "breath",
    "muscle", "joint", "spine", "ankle", "wrist", "account", "invoice", "receipt", "loan",
    "savings", "interest", "payment", "goal", "plan", "list", "timer", "notebook", "calendar",
    "weather", "forecast", "map", "compass", "tent", "stove", "lantern", "bucket", "glove",
    "helmet", "shoe", "sock", "jacket", "scarf", "collar", "treat", "reward", "signal", "whistle",
    "mirror", "light", "shadow", "color", "contrast", "grain", "edge", "corner", "handle", "lid",
]  # fmt: skip

VERBS = [
    "adjust", "check", "clean", "prepare", "measure", "store", "sharpen", "warm", "cool",
    "stretch", "balance", "plan", "track", "compare", "replace", "repair", "protect", "label",
    "organize", "season", "soak", "rinse", "trim", "loosen", "tighten", "test", "review",
    "schedule", "rotate", "sort", "fold", "pack", "rest", "breathe", "listen", "watch", "sketch",
    "record", "share", "simplify", "repeat", "pause", "shorten", "extend", "soften", "brighten",
]  # fmt: skip

ADJECTIVES = [
    "simple", "steady", "gentle", "careful", "quick", "slow", "light", "heavy", "fresh", "clean",
    "sharp", "soft", "warm", "cool", "small", "large", "early", "late", "daily", "weekly",
    "quiet", "bright", "honest", "patient", "clever", "sturdy", "flexible", "reliable", "cheap",
    "useful", "common", "hidden", "obvious", "tricky", "forgiving", "seasonal", "local", "spare",
]  # fmt: skip

ADVERBS = [
    "slowly", "gently", "carefully", "quickly", "often", "rarely", "always", "early", "firmly",
    "evenly", "lightly", "twice", "daily", "patiently", "steadily", "calmly",
]  # fmt: skip

# Sentence shapes; {n}/{n2} nouns, {v}/{v2} verbs, {a} adjectives, {r} adverbs.
SENTENCES = [
    "A {a} {n} makes the {n2} easier to {v}.",
    "Most people {v} their {n} too {r}, so start with a {a} {n2}.",
    "If your {n} feels {a}, {v} it {r} before you {v2} the {n2}.",
    "Keep a {a} {n} next to the {n2} and {v} it {r}.",
    "The {n} matters more than the {n2}: {v} it {r} and the rest follows.",
    "Nobody gets the {n} right the first time, so {v} the {n2} and try again.",
    "When the {n} is {a}, {v} the {n2} {r} and wait.",
    "Write down how you {v} the {n} and compare it with last week's {n2}.",
    "A {a} {n2} can hide a {a} {n}; {v} both {r}.",
    "Ask a {n} to {v} your {n2} once a month.",
    "Every {n} wears out; {v} it {r} and {v2} the {n2} when it does.",
    "Choose a {a} {n} over a {a} {n2} when you {v} for the first time.",
]  # fmt: skip

# Sentences that carry COMMON_WORD; a share of paragraphs gets one.
COMMON_SENTENCES = [
    "Regular practice with the {n} beats one long session.",
    "Ten minutes of practice a day is enough to {v} the {n} {r}.",
    "Make the {n} part of your practice and {v} it {r}.",
    "Good practice is to {v} the {n} before you start.",
]  # fmt: skip

TITLES = [
    "How to {v} your {n} {r}",
    "{N} ways to {v} a {a} {n}",
    "The {a} guide to the {n}",
    "Why your {n} needs a {a} {n2}",
    "{A} {n} habits that last",
    "Stop and {v} the {n} first",
    "What to do with a {a} {n}",
    "{A} {n} or {a} {n2}?",
]  # fmt: skip

QUESTIONS = [
    "How do I {v} a {a} {n} without a {n2}?",
    "What is the best way to {v} my {n}?",
    "How often should I {v} the {n}?",
    "Is a {a} {n} worth it for a {n2}?",
    "Why does my {n} feel {a} after I {v} it?",
    "Can I {v} the {n} and the {n2} together?",
]  # fmt: skip

COMMENTS = [
    "Thanks, this helped with my {n}.",
    "I tried this with a {a} {n} and it worked.",
    "Would this work for a {n2} as well?",
    "My {n} was {a} until I read this. Now I {v} it {r}.",
    "Great tip. I {v} the {n} {r} now.",
    "I disagree about the {n}; a {a} {n2} works better for me.",
    "Bookmarked. Going to {v} my {n} this weekend.",
    "Clear and {a}. More tips like this, please.",
]  # fmt: skip

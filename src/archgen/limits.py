"""The limits archgen holds catalogs to, in one place.

The validator reports a catalog past them with a located finding that names the
limit; the generators rely on them (and guard again where a crash would follow):
a type nested 320 deep crashed generation with a recursion error, a
16,000-character label hit graphviz's string limit, and a system view of 150
services with 60 dependencies each ran graphviz into its timeout.
"""

from __future__ import annotations

# `list[dict[str, list[...]]]`: a real model nests two or three levels.
MAX_TYPE_DEPTH = 16
# Text drawn as a diagram label (titles, bounded contexts, names): graphviz
# refuses strings past 16,384 characters; a readable label is far shorter.
MAX_LABEL_CHARS = 200
# Services one service depends on (AG017): past it, a system of such hubs
# cannot be laid out (and is a distributed monolith).
MAX_DEPENDENCIES = 30
# A view with more edges than this, and more than MAX_EDGES_PER_NODE per node,
# is not sent to graphviz: 9,151 edges among 152 nodes ran dot for a minute and
# then failed ("trouble in init_rank"), or into the timeout. The 2,000-service
# benchmark's views (up to 9,777 edges, at most 7 per node) stay drawable.
# Such a view is reported as not drawn; its text formats are written.
MAX_DENSE_EDGES = 1000
MAX_EDGES_PER_NODE = 15

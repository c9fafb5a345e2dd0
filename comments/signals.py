"""What the comments app tells the apps above it, in the style of django-contrib-comments.

Apps that build on comments (following by e-mail) listen here; comments knows none of them.
"""

from django.dispatch import Signal

# Sent once a comment becomes visible to readers (posted and approved at once, or approved by
# an editor), after the change is committed; ``comment`` is the published Comment.
comment_published = Signal()

"""Pages for people: the review site of an annotation project (``review``) and the
explorer of a release (``explorer``). Both are static HTML that works from
``file://`` with no network: their script, style and data are inside each page.
"""

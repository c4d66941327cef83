"""Pages of testing rounds: plan and run a round, live coverage, untested lists, recall,
tubes and shipments, laboratory files, the capacity planner.

Every object is fetched through the scoping choke point with the permission the page
needs (`get_visible_or_404`, `visible_to`): a round, area, tube or person outside the
user's scope does not exist for them. Views parse, call one action or selector, render.
"""

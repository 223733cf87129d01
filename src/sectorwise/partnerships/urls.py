"""Page routes of the registry (the pages engineer's views). Each view carries a permission rule."""

app_name = "partnerships"
urlpatterns: list[object] = []

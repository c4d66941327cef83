from django.urls import path

from wangge.dispatch.views import boards, overview, tasks

app_name = "dispatch"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("mine/", tasks.mine, name="mine"),
    path("teams/<int:team_pk>/", boards.board, name="board"),
    path("teams/<int:team_pk>/save/", boards.board_save, name="board_save"),
    path("teams/<int:team_pk>/copy/", boards.board_copy, name="board_copy"),
    path("tasks/<uuid:pk>/check-in/", tasks.task_check_in, name="task_check_in"),
    path("tasks/<uuid:pk>/check-out/", tasks.task_check_out, name="task_check_out"),
    path("tasks/<uuid:pk>/close/", tasks.task_close, name="task_close"),
]

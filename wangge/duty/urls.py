from django.urls import path

from wangge.duty.views import posts, shifts, tasks

app_name = "duty"

urlpatterns = [
    path("", posts.post_list, name="posts"),
    path("mine/", shifts.mine, name="mine"),
    path("areas/<int:area_pk>/posts/new/", posts.post_create, name="post_create"),
    path("posts/<int:pk>/", posts.post_detail, name="post"),
    path("posts/<int:pk>/active/", posts.post_active, name="post_active"),
    path("posts/<int:pk>/candidates/", posts.candidates, name="candidates"),
    path("posts/<int:pk>/shifts/", posts.shift_add, name="shift_add"),
    path("posts/<int:pk>/copy/", posts.roster_copy, name="roster_copy"),
    path("shifts/<uuid:pk>/check-in/", shifts.shift_check_in, name="shift_check_in"),
    path("shifts/<uuid:pk>/check-out/", shifts.shift_check_out, name="shift_check_out"),
    path("shifts/<uuid:pk>/remove/", shifts.shift_remove, name="shift_remove"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("areas/<int:area_pk>/tasks/new/", tasks.task_create, name="task_create"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("tasks/<int:pk>/done/", tasks.task_complete, name="task_complete"),
    path("tasks/<int:pk>/active/", tasks.task_active, name="task_active"),
    path("completions/<uuid:pk>/photo/", tasks.completion_photo, name="completion_photo"),
]

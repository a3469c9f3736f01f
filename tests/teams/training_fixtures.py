"""Training fixtures: a course with a 5-question exam (pass mark 80) and a certification required for reps."""


from teams.models import Certification, Course, Exam

QUESTIONS = [
    {"text": "Q1", "choices": ["a", "b"], "correct": [0]},
    {"text": "Q2", "choices": ["a", "b", "c"], "correct": [1]},
    {"text": "Q3", "choices": ["a", "b", "c", "d"], "correct": [0, 2], "multiple": True},
    {"text": "Q4", "choices": ["a", "b"], "correct": [1]},
    {"text": "Q5", "choices": ["a", "b"], "correct": [0]},
]
RIGHT = [[0], [1], [0, 2], [1], [0]]
FOUR_RIGHT = [[0], [1], [0, 2], [1], [1]]
THREE_RIGHT = [[0], [1], [0], [1], [1]]


def make_course(title="Solution selling", roles=("rep",), **exam_fields):
    course = Course.objects.create(title=title, kind=Course.Kind.METHOD, roles=list(roles))
    exam = Exam.objects.create(course=course, title=f"{title} exam", questions=QUESTIONS,
                               **{"pass_mark": 80, "max_attempts": 3, "cooldown_hours": 24, **exam_fields})
    cert = Certification.objects.create(name=title, course=course, required_for_roles=["rep"], validity_months=12,
                                        reminder_days=[30, 7])
    return course, exam, cert

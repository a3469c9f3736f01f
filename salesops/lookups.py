"""Query expressions shared by the apps."""
from django.db.models.lookups import In


class AnyOf(In):
    """`In` (`lhs IN (...)`), sent to PostgreSQL as ONE array parameter: `lhs = ANY(%s)`.

    For long lists of keys (a lead import looks up 5,000 emails a chunk): Django's `In` builds one
    placeholder and one adapted parameter per value, a third of an import's duplicate-check time
    in Python; an array is one parameter, and PostgreSQL plans it the same way (an index scan
    with the array as its key). Elsewhere (SQLite in development and tests) it is `In`.
    Use it as an expression: `Q(AnyOf(Lower("email"), values))`."""

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [value for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)

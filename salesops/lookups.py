"""Query expressions shared by the apps."""
from django.core.exceptions import EmptyResultSet
from django.db.models.lookups import In


class AnyOf(In):
    """`In` (`lhs IN (...)`), sent to PostgreSQL as ONE array parameter: `lhs = ANY(%s)`.

    For long lists of keys (a lead import looks up 5,000 emails a chunk): Django's `In` builds one
    placeholder and one adapted parameter per value, a third of an import's duplicate-check time
    in Python; an array is one parameter, and PostgreSQL plans it the same way (an index scan
    with the array as its key). Elsewhere (SQLite in development and tests), and for a subquery on
    the right, it is `In`; an empty list matches nothing, as `In`'s does (negated: everything).
    Use it as an expression: `Q(AnyOf(Lower("email"), values))`."""

    def get_prep_lookup(self):
        # Django's In asks the left side for its output field once per value, to prepare each one.
        # An expression not resolved yet, such as Lower("email"), cannot tell (its argument is a
        # bare name): it fails for every value (4 us each, 0.4 s of a 100,000-row import) and the
        # values go unprepared. Asked once here, with the same outcome.
        if self.prepare_rhs and not hasattr(self.lhs, "output_field"):
            self.prepare_rhs = False
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        values = [value for value in self.rhs if value is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, values)

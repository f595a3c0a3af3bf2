"""Certificate forms: the public verify box, revoking with a reason, and plain action buttons."""
from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.certificates import rules
from app.forms import GovForm, submit


class VerifyForm(GovForm):
    """Typing a code from paper. A GET form (shareable, no session needed), so no CSRF token."""

    class Meta:
        csrf = False

    code = StringField("Certificate code", widget=GovTextInput(),
                       description="The code printed on the certificate, like 7K3M-Q9TB-... (dashes and spaces are optional)",
                       validators=[InputRequired("Enter the certificate code"),
                                   Length(max=rules.MAX_TYPED, message="A certificate code is 28 letters and numbers")])
    submit = submit("Check certificate")

    def validate_code(self, field):
        if rules.normalise(field.data) is None:
            raise ValidationError("A certificate code is 28 letters and numbers, like 7K3M-Q9TB-2WXC-... Check what you typed")


class RevokeForm(GovForm):
    reason = TextAreaField("Why is this certificate revoked?", widget=GovTextArea(),
                           description="Kept on the certificate's record. The public check shows only that it is revoked, and when",
                           validators=[DataRequired("Enter why the certificate is revoked"),
                                       Length(max=500, message="The reason must be 500 characters or fewer")])
    submit = submit("Revoke certificate")


class ReissueForm(GovForm):
    new_name = StringField("Name to print on the new certificate", widget=GovTextInput(),
                       description="As the holder asked for it. Their account takes this name too, so later certificates carry it",
                       validators=[DataRequired("Enter the name to print on the new certificate"),
                                   Length(max=200, message="The name must be 200 characters or fewer")])
    submit = submit("Re-issue in this name")



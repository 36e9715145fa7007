"""つなぎ先: destinations suggested for a consultation (and free search), recording a referral
through the consent gate, and the district's open referrals tracked until the reply.

Embed :class:`ReferralsPage` in the main window's つなぎ先 slot and call
:meth:`ReferralsPage.show_consultation` with the consultation open in 受付.
"""

from setacare_desktop.ui.referrals.page import ReferralsPage
from setacare_desktop.ui.referrals.table_model import ReferralTableModel

__all__ = ["ReferralTableModel", "ReferralsPage"]

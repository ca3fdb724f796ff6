"""One connection whole (opened from a table row, a status card or a link)."""

from ui import connection_page
from ui.context import open_or_stop, organisation, store_key
from ui.navigate import chosen_connection

open_or_stop()
connection_page.show("cp", store_key(), organisation(), chosen_connection())

"""QR codes and printable village posters: templates, fonts, rendering and batch export."""

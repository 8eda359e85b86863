using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>What one cheque shows.</summary>
public sealed record ChequeFace(string ChequeNo, string RecordNo, string Payee, string Amount, string Currency, string BankName, DateOnly Date, bool Reprint);

/// <summary>
/// Renders cheques as one PDF, a page per cheque (PDFsharp). The font is the one PDFsharp ships (Segoe WP, in
/// PdfSharp.WPFonts), so a server without installed fonts prints the same cheques.
/// </summary>
public static class ChequePdf
{
    private const string Family = "Cheque";
    private static readonly Lock Gate = new();

    public static byte[] Render(IReadOnlyList<ChequeFace> cheques)
    {
        ArgumentNullException.ThrowIfNull(cheques);
        EnsureFonts();
        using var document = new PdfDocument();
        document.Info.Title = $"Cheques {string.Join(", ", cheques.Select(c => c.ChequeNo))}";
        var regular = new XFont(Family, 11, XFontStyleEx.Regular);
        var bold = new XFont(Family, 14, XFontStyleEx.Bold);
        var small = new XFont(Family, 8, XFontStyleEx.Regular);
        foreach (var c in cheques)
        {
            var page = document.AddPage();
            // A business cheque: 8.5 x 3.5 inches.
            page.Width = XUnit.FromInch(8.5);
            page.Height = XUnit.FromInch(3.5);
            using var g = XGraphics.FromPdfPage(page);
            var w = page.Width.Point;
            var h = page.Height.Point;
            g.DrawRectangle(XPens.Black, new XRect(10, 10, w - 20, h - 20));
            g.DrawString(c.BankName, bold, XBrushes.Black, 24, 36);
            g.DrawString($"No. {c.ChequeNo}", regular, XBrushes.Black, w - 160, 36);
            g.DrawString($"Date {c.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}", regular, XBrushes.Black, w - 160, 56);
            g.DrawString("Pay", regular, XBrushes.Black, 24, 100);
            g.DrawString(c.Payee, bold, XBrushes.Black, 60, 100);
            g.DrawLine(XPens.Black, 58, 104, w - 190, 104);
            g.DrawRectangle(XPens.Black, new XRect(w - 180, 82, 150, 28));
            g.DrawString($"{c.Currency} {c.Amount}", bold, XBrushes.Black, w - 172, 102);
            g.DrawString($"Withdrawal {c.RecordNo}", small, XBrushes.Black, 24, h - 40);
            if (c.Reprint) g.DrawString("REPRINT — the earlier paper of this record is void", small, XBrushes.Black, 24, h - 26);
            g.DrawLine(XPens.Black, w - 220, h - 44, w - 30, h - 44);
            g.DrawString("Authorised signature", small, XBrushes.Black, w - 200, h - 32);
        }
        using var stream = new MemoryStream();
        document.Save(stream, false);
        return stream.ToArray();
    }

    private static void EnsureFonts()
    {
        lock (Gate)
        {
            // Process-wide in PDFsharp; another component may have set its own, which then serves (any family resolves).
            GlobalFontSettings.FontResolver ??= new BundledFontResolver();
        }
    }

    /// <summary>Every family and style resolves to the Segoe WP faces bundled with PDFsharp.</summary>
    private sealed class BundledFontResolver : IFontResolver
    {
        public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
            new(bold ? "SegoeWP-Bold" : "SegoeWP", false, italic);

        public byte[] GetFont(string faceName) => faceName == "SegoeWP-Bold"
            ? PdfSharp.WPFonts.FontDataHelper.SegoeWPBold
            : PdfSharp.WPFonts.FontDataHelper.SegoeWP;
    }
}

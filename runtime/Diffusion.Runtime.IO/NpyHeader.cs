using System.Globalization;

namespace Diffusion.Runtime.IO;

/// <summary>
/// The dictionary at the start of a .npy file, e.g.
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>:
/// parsed from the Python literal NumPy writes and formatted back.
/// </summary>
/// <param name="Descr">The dtype string, e.g. <c>&lt;f4</c>.</param>
/// <param name="FortranOrder">Whether the data is stored column-major.</param>
/// <param name="Shape">The dimensions.</param>
internal sealed record NpyHeader(string Descr, bool FortranOrder, int[] Shape)
{
    private const string DescrKey = "descr";
    private const string FortranOrderKey = "fortran_order";
    private const string ShapeKey = "shape";

    /// <summary>The header text for a C-order array of <paramref name="descr"/> values (no padding or newline).</summary>
    public static string Format(string descr, ReadOnlySpan<int> shape) =>
        $"{{'{DescrKey}': '{descr}', '{FortranOrderKey}': False, '{ShapeKey}': {NpyShape.Format(shape)}, }}";

    /// <summary>Parses the header dictionary.</summary>
    /// <exception cref="FormatException">The text is not a valid header; the message says what is wrong.</exception>
    public static NpyHeader Parse(string text)
    {
        var parser = new Parser(text);
        string? descr = null;
        bool? fortranOrder = null;
        int[]? shape = null;

        parser.Expect('{');
        while (!parser.TryConsume('}'))
        {
            string key = parser.ReadString();
            parser.Expect(':');
            switch (key)
            {
                case DescrKey when descr is null:
                    descr = parser.ReadDescr();
                    break;
                case FortranOrderKey when fortranOrder is null:
                    fortranOrder = parser.ReadBool();
                    break;
                case ShapeKey when shape is null:
                    shape = parser.ReadShape();
                    break;
                case DescrKey or FortranOrderKey or ShapeKey:
                    throw new FormatException($"the header repeats the key '{key}'");
                default:
                    throw new FormatException($"the header has an unexpected key '{key}' (expected only '{DescrKey}', '{FortranOrderKey}', '{ShapeKey}')");
            }

            if (!parser.TryConsume(','))
            {
                parser.Expect('}');
                break;
            }
        }

        parser.ExpectEnd();
        return new NpyHeader(
            descr ?? throw Missing(DescrKey),
            fortranOrder ?? throw Missing(FortranOrderKey),
            shape ?? throw Missing(ShapeKey));
    }

    private static FormatException Missing(string key) => new($"the header has no '{key}' entry");

    /// <summary>A cursor over the header's Python literal.</summary>
    private ref struct Parser(string text)
    {
        private int position;

        public void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw Unexpected($"'{c}'");
            }
        }

        public bool TryConsume(char c)
        {
            SkipSpace();
            if (position < text.Length && text[position] == c)
            {
                position++;
                return true;
            }

            return false;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (position != text.Length)
            {
                throw Unexpected("the end of the header");
            }
        }

        public string ReadString()
        {
            SkipSpace();
            char quote = position < text.Length ? text[position] : '\0';
            if (quote is not ('\'' or '"'))
            {
                throw Unexpected("a quoted string");
            }

            int end = text.IndexOf(quote, position + 1);
            if (end < 0)
            {
                throw new FormatException($"the header has an unterminated string at position {position}");
            }

            string value = text[(position + 1)..end];
            position = end + 1;
            return value;
        }

        public string ReadDescr()
        {
            SkipSpace();
            if (position < text.Length && text[position] == '[')
            {
                throw new FormatException("the dtype is a structured (record) type; only plain float arrays are supported, save a single float field instead");
            }

            return ReadString();
        }

        public bool ReadBool()
        {
            SkipSpace();
            ReadOnlySpan<char> rest = text.AsSpan(position);
            if (rest.StartsWith("True", StringComparison.Ordinal))
            {
                position += "True".Length;
                return true;
            }

            if (rest.StartsWith("False", StringComparison.Ordinal))
            {
                position += "False".Length;
                return false;
            }

            throw Unexpected("True or False");
        }

        public int[] ReadShape()
        {
            Expect('(');
            var dimensions = new List<int>();
            while (!TryConsume(')'))
            {
                dimensions.Add(ReadDimension());
                if (!TryConsume(','))
                {
                    Expect(')');
                    break;
                }
            }

            return [.. dimensions];
        }

        private int ReadDimension()
        {
            SkipSpace();
            int start = position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            if (position == start)
            {
                throw Unexpected("a non-negative integer dimension");
            }

            if (!int.TryParse(text.AsSpan(start, position - start), NumberStyles.None, CultureInfo.InvariantCulture, out int dimension))
            {
                throw new FormatException($"the shape dimension {text[start..position]} is too large");
            }

            // Python 2 wrote long integers with an L suffix.
            if (position < text.Length && text[position] == 'L')
            {
                position++;
            }

            return dimension;
        }

        private void SkipSpace()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }

        private readonly FormatException Unexpected(string expected)
        {
            string found = position < text.Length ? $"'{text[position]}'" : "the end";
            return new FormatException($"the header is malformed: expected {expected} at position {position} but found {found}");
        }
    }
}

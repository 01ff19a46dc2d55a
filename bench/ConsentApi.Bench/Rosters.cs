namespace ConsentApi.Bench;

/// <summary>Realistic school rosters from a seeded generator: groups 1–8 by age, families of one or two guardians.</summary>
public static class Rosters
{
    private static readonly string[] FirstNames =
    [
        "Emma", "Julia", "Mila", "Tess", "Sophie", "Zoë", "Sara", "Nora", "Yara", "Eva", "Liv", "Lotte", "Noah", "Luca",
        "Sem", "Liam", "Lucas", "Daan", "Finn", "Levi", "Milan", "Bram", "Sam", "Thijs", "Mohammed", "Adam", "Jesse", "Ayoub",
    ];

    private static readonly string[] LastNames =
    [
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer",
        "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra",
        "Yilmaz", "El Amrani", "Kaya", "Nguyen", "Pinas", "Kramer",
    ];

    /// <summary>
    /// One school's roster: <paramref name="pupils"/> pupils in eight groups, families of one child (7 in 8) or two,
    /// with two guardians (4 in 5) of whom the second has parental authority 9 times in 10.
    /// </summary>
    public static object School(Random random, string prefix, int pupils, string schoolYear)
    {
        var firstYear = int.Parse(schoolYear[..4], System.Globalization.CultureInfo.InvariantCulture);
        var groups = Enumerable.Range(1, 8)
            .Select(g => new { externalId = $"{prefix}-G{g}", name = $"Groep {g}", schoolYear })
            .ToList();
        var guardians = new List<object>();
        var roster = new List<object>();
        List<object>? family = null;
        var familyName = "";
        for (var i = 0; i < pupils; i++)
        {
            if (family is null || family.Count == 0 || random.NextDouble() >= 0.125)
            {
                familyName = LastNames[random.Next(LastNames.Length)];
                family = [];
                var count = random.NextDouble() < 0.8 ? 2 : 1;
                for (var g = 0; g < count; g++)
                {
                    var externalId = $"{prefix}-O{guardians.Count + 1}";
                    guardians.Add(new { externalId, displayName = $"{FirstNames[random.Next(FirstNames.Length)]} {familyName}" });
                    family.Add(new { externalId, hasParentalAuthority = g == 0 || random.NextDouble() < 0.9 });
                }
            }
            var group = i * 8 / pupils + 1;
            var born = new DateOnly(firstYear - 3 - group, 1, 1).AddDays(random.Next(365));
            roster.Add(new
            {
                externalId = $"{prefix}-L{i + 1}",
                displayName = $"{FirstNames[random.Next(FirstNames.Length)]} {familyName}",
                dateOfBirth = born,
                groupExternalId = $"{prefix}-G{group}",
                guardians = family,
            });
        }
        return new { groups, pupils = roster, guardians };
    }

    /// <summary>The import a large school board sends at once: one child per family, half of them with two guardians.</summary>
    public static object Import(Random random, string prefix, int pupils, int guardians, string schoolYear)
    {
        var firstYear = int.Parse(schoolYear[..4], System.Globalization.CultureInfo.InvariantCulture);
        var groupCount = pupils / 28;
        var groups = Enumerable.Range(1, groupCount)
            .Select(g => new { externalId = $"{prefix}-G{g}", name = $"Groep {g % 8 + 1}{(char)('a' + g / 8 % 26)}", schoolYear })
            .ToList();
        var guardianList = new List<object>();
        var roster = new List<object>();
        var twoGuardians = guardians - pupils;
        for (var i = 0; i < pupils; i++)
        {
            var familyName = LastNames[random.Next(LastNames.Length)];
            var links = new List<object>();
            for (var g = 0; g < (i < twoGuardians ? 2 : 1); g++)
            {
                var externalId = $"{prefix}-O{guardianList.Count + 1}";
                guardianList.Add(new { externalId, displayName = $"{FirstNames[random.Next(FirstNames.Length)]} {familyName}" });
                links.Add(new { externalId, hasParentalAuthority = true });
            }
            var group = i % groupCount + 1;
            roster.Add(new
            {
                externalId = $"{prefix}-L{i + 1}",
                displayName = $"{FirstNames[random.Next(FirstNames.Length)]} {familyName}",
                dateOfBirth = new DateOnly(firstYear - 4 - group % 8, 1, 1).AddDays(random.Next(365)),
                groupExternalId = $"{prefix}-G{group}",
                guardians = links,
            });
        }
        return new { groups, pupils = roster, guardians = guardianList };
    }
}

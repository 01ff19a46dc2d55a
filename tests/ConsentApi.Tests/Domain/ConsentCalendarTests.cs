using ConsentApi.Domain;

namespace ConsentApi.Tests.Domain;

/// <summary>The last date of birth of a 16-year-old, which queries over many pupils compare with, agrees with the birthday rule.</summary>
public sealed class ConsentCalendarTests
{
    [TestCase("2028-02-29", "2012-02-29")]
    [TestCase("2027-03-01", "2011-03-01")]
    [TestCase("2029-03-01", "2013-03-01")]
    [TestCase("2029-02-28", "2013-02-28")]
    [TestCase("2032-02-29", "2016-02-29")]
    [TestCase("2100-02-28", "2084-02-28")]
    [TestCase("2100-03-01", "2084-03-01")]
    public void The_last_birth_date_of_a_16_year_old_counts_29_February_as_Dutch_law_does(string day, string lastBirthDate) =>
        Assert.That(ConsentCalendar.LastBirthDateSixteenOn(DateOnly.Parse(day)), Is.EqualTo(DateOnly.Parse(lastBirthDate)));

    [Test]
    public void Everyone_born_on_or_before_the_last_birth_date_is_16_and_nobody_born_after_it_is()
    {
        // Eight years around now, and 2100: a century year without 29 February after a leap year 16 years before.
        var days = Enumerable.Range(0, 8 * 366).Select(i => new DateOnly(2026, 1, 1).AddDays(i))
            .Concat(Enumerable.Range(0, 3 * 366).Select(i => new DateOnly(2099, 1, 1).AddDays(i)));
        foreach (var day in days)
        {
            var last = ConsentCalendar.LastBirthDateSixteenOn(day);
            Assert.That((ConsentCalendar.IsSixteenOn(last, day), ConsentCalendar.IsSixteenOn(last.AddDays(1), day)), Is.EqualTo((true, false)),
                $"on {day}");
        }
    }
}

using ConsentApi.Domain;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Infrastructure.Persistence;

public static class Calendars
{
    /// <summary>The organisation's calendar: its local days are the days of consent.</summary>
    public static async Task<ConsentCalendar> CalendarAsync(this ConsentDbContext db, Guid organisationId, CancellationToken ct) =>
        ConsentCalendar.For(await db.Organisations.Where(o => o.Id == organisationId).Select(o => o.TimeZone).SingleAsync(ct));
}

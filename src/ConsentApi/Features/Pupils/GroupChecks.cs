using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Pupils;

internal static class GroupChecks
{
    public static async Task EnsureGroupOfSchoolAsync(this ConsentDbContext db, Guid? groupId, Guid schoolId, CancellationToken ct)
    {
        if (groupId is { } id && !await db.Groups.AnyAsync(g => g.Id == id && g.SchoolId == schoolId, ct))
        {
            throw new RequestValidationException("groupId", $"The school has no group '{id}'.");
        }
    }
}

# syntax=docker/dockerfile:1
# Build: docker build -t consent-api .
# Run:   docker run -p 8080:8080 -e ConnectionStrings__ConsentDb=... consent-api
#        docker run -e ConnectionStrings__ConsentDb=... consent-api migrate   (apply migrations, then exit)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ConsentApi/ConsentApi.csproj src/ConsentApi/RuntimeSettings.props src/ConsentApi/
RUN dotnet restore src/ConsentApi/ConsentApi.csproj
COPY src/ src/
RUN dotnet publish src/ConsentApi/ConsentApi.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# The runtime settings (server GC, a 16 MiB gen0 cap, gen2 compaction when fragmented, no spinning thread-pool workers) travel in ConsentApi.runtimeconfig.json, as they do for dotnet run.
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
COPY --from=build /app .
# The aspnet images ship a non-root "app" user; its id is in APP_UID.
USER $APP_UID
ENTRYPOINT ["dotnet", "ConsentApi.dll"]

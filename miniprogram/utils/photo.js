// The ID-card photo kept under the server's limit (MAX_PHOTO_BYTES in app/services/intake/id_card_ocr.py): a
// bigger one is compressed on the phone first, and refused here if still too big rather than uploaded in vain
// over a booth's weak signal.
const MAX_PHOTO_BYTES = 2 * 1024 * 1024
const COMPRESS_QUALITY = 60
const PHOTO_TOO_LARGE = '照片太大（超过 2 MB），压缩后仍无法上传，请重新拍摄或直接填写'

// The path of a photo the server will take, or null when even compressed it is over the limit.
async function uploadablePhoto(platform, photo) {
  const size = photo.size || (await platform.fileSize(photo.tempFilePath))
  if (size <= MAX_PHOTO_BYTES) return photo.tempFilePath
  try {
    const smaller = await platform.compressImage(photo.tempFilePath, COMPRESS_QUALITY)
    return (await platform.fileSize(smaller)) <= MAX_PHOTO_BYTES ? smaller : null
  } catch (notCompressed) {
    return null
  }
}

module.exports = { uploadablePhoto, MAX_PHOTO_BYTES, PHOTO_TOO_LARGE }
